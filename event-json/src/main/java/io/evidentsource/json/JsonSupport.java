package io.evidentsource.json;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.Utf8;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
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
    requireUtf8(json, offset, length);
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

  /**
   * Refuses bytes that are not well-formed UTF-8 (RFC 8259 requires it of JSON exchanged between
   * systems). Jackson's own decoder is lenient: it reads the overlong {@code C0 AF} as {@code /},
   * so a text that passed a byte-level filter would be stored as something else.
   *
   * @throws EvidentSourceException {@link ErrorCode#MALFORMED_JSON} with the {@code line}, {@code
   *     column} (1-based, in bytes) and {@code offset} (0-based) of the first malformed byte
   */
  public static void requireUtf8(byte[] json, int offset, int length) {
    int bad = Utf8.firstMalformed(json, offset, length);
    if (bad < 0) {
      return;
    }
    int line = 1;
    int lineStart = offset;
    for (int i = offset; i < bad; i++) {
      if (json[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = bad - lineStart + 1;
    var fields = new LinkedHashMap<String, Object>();
    fields.put("line", line);
    fields.put("column", column);
    fields.put("offset", bad - offset);
    throw new EvidentSourceException(
        ErrorCode.MALFORMED_JSON,
        String.format(
            Locale.ROOT,
            "Invalid UTF-8 in the request body at line %d, column %d (byte 0x%02X): JSON must be"
                + " well-formed UTF-8, without overlong, surrogate, out-of-range or truncated"
                + " sequences",
            line,
            column,
            json[bad] & 0xff),
        fields);
  }

  /**
   * JSON data from a parsed value: its compact text ({@link #compact}), marked well-formed UTF-8
   * ({@link EventData.Json#wellFormed()}), so that writers copy it without checking it on every
   * read. Jackson's UTF-8 generator encodes the strings it writes as well-formed UTF-8 and an
   * unpaired surrogate as an escape ({@code "\\uD800"}; JsonSupportTest checks both), which {@link
   * io.evidentsource.core.model.EventValidator} then refuses.
   */
  public static EventData.Json jsonData(JsonNode node) {
    return new EventData.Json(compact(node), true);
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

  private static final Pattern SOURCE_LOCATION =
      Pattern.compile("\\s*\\((start marker at )?\\[Source: [^\\]]*\\]\\)");

  /** Jackson names the setting of a limit it enforces: "(500, from `StreamReadConstraints...`)". */
  private static final Pattern CONSTRAINT_SOURCE = Pattern.compile(",\\s*from\\s+`[^`]*`\\)");

  /** What only someone configuring the parser could act on: feature and class names. */
  private static final Pattern PARSER_INTERNALS =
      Pattern.compile(
          "`|Feature|jackson|JsonToken|StreamRead|REDACTED|\\[Source", Pattern.CASE_INSENSITIVE);

  /** Where a clause of Jackson's message begins; internals are cut from there on. */
  private static final List<String> CLAUSE_STARTS = List.of(": ", " (", " -- ", "; ", ", ");

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
    String reason = reason(e.getOriginalMessage());
    if (!reason.isEmpty()) {
      detail.append(": ").append(reason);
    }
    return new EvidentSourceException(ErrorCode.MALFORMED_JSON, detail.toString(), fields, e);
  }

  /**
   * Jackson's account of what is wrong with the text, in the terms of JSON: its location (ours is
   * in the message already) and its advice about parser features and classes, which a client cannot
   * act on, are left out, e.g. "Non-standard token 'NaN': enable
   * `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow" becomes "Non-standard token 'NaN' (JSON
   * has no NaN or Infinity)". Empty when nothing useful remains.
   */
  static String reason(@Nullable String jacksonMessage) {
    if (jacksonMessage == null || jacksonMessage.isBlank()) {
      return "";
    }
    String text = firstLine(jacksonMessage);
    if (text.startsWith("Trailing token")) {
      return "more content follows the JSON value (a JSON text holds exactly one value)";
    }
    text = SOURCE_LOCATION.matcher(text).replaceAll("");
    text = CONSTRAINT_SOURCE.matcher(text).replaceAll(")");
    text = text.replace("maybe a (non-standard) comment?", "JSON has no comments");
    for (int guard = 0; guard < 8; guard++) {
      Matcher internal = PARSER_INTERNALS.matcher(text);
      if (!internal.find()) {
        break;
      }
      int cut = 0;
      for (String start : CLAUSE_STARTS) {
        cut = Math.max(cut, text.lastIndexOf(start, internal.start()));
      }
      text = text.substring(0, cut);
    }
    text = text.strip();
    if (text.startsWith("Non-standard token")) {
      text += " (JSON has no NaN or Infinity)";
    }
    return text;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
