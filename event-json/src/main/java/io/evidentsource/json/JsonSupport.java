package io.evidentsource.json;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.LinkedHashMap;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeType;

/**
 * The JSON parser and printer the encodings share: strict (duplicate keys and trailing content are
 * errors), exact (floating-point numbers are kept as decimals, so event data keeps its values) and
 * compact on output.
 */
public final class JsonSupport {
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private JsonSupport() {}

  /** The shared mapper (thread-safe). Use it for trees and generators, not for data binding. */
  public static JsonMapper mapper() {
    return MAPPER;
  }

  /**
   * Parses one JSON document.
   *
   * @throws EvidentSourceException {@link ErrorCode#MALFORMED_JSON} with fields {@code line} and
   *     {@code column} (1-based) when the text is not one well-formed JSON value
   */
  public static JsonNode parse(byte[] json) {
    return parse(json, 0, json.length);
  }

  /** Parses {@code length} bytes from {@code offset}; see {@link #parse(byte[])}. */
  public static JsonNode parse(byte[] json, int offset, int length) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json, offset, length);
    } catch (JacksonException e) {
      throw malformed(e);
    }
    if (node == null || node.isMissingNode()) {
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_JSON, "the JSON text is empty; expected a JSON value");
    }
    return node;
  }

  /** Compact UTF-8 JSON text of a tree. */
  public static byte[] compact(JsonNode node) {
    return MAPPER.writeValueAsBytes(node);
  }

  /** The JSON type of a node for error messages: "a string", "an object", ... */
  static String describe(JsonNode node) {
    JsonNodeType type = node.getNodeType();
    return switch (type) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> type.name().toLowerCase(Locale.ROOT);
    };
  }

  private static final java.util.regex.Pattern SOURCE_LOCATION =
      java.util.regex.Pattern.compile("\\s*\\((start marker at )?\\[Source: [^\\]]*\\]\\)");

  /** Maps a Jackson failure to {@code MALFORMED_JSON} with the position where it occurred. */
  static EvidentSourceException malformed(JacksonException e) {
    var fields = new LinkedHashMap<String, Object>();
    StringBuilder detail = new StringBuilder("the request body is not well-formed JSON");
    TokenStreamLocation location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      fields.put("line", location.getLineNr());
      fields.put("column", location.getColumnNr());
      detail
          .append(" at line ")
          .append(location.getLineNr())
          .append(", column ")
          .append(location.getColumnNr());
    }
    String reason = e.getOriginalMessage();
    if (reason != null && !reason.isBlank()) {
      // Jackson appends its own location ("start marker at [Source: ...]"): ours is above
      String plain =
          SOURCE_LOCATION.matcher(firstLine(reason)).replaceAll("").replaceAll("\\s+$", "");
      detail.append(": ").append(plain);
    }
    return new EvidentSourceException(ErrorCode.MALFORMED_JSON, detail.toString(), fields, e);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
