package io.evidentsource.json;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The JSON shape of append conditions (docs/data-model.md#append-conditions):
 *
 * <pre>
 * {"type":"max","selector":S,"revision":r}      // L(S) ≤ r
 * {"type":"min","selector":S,"revision":r}      // L(S) ≥ r
 * {"type":"range","selector":S,"start":a,"end":b}
 * </pre>
 *
 * Errors are {@code INVALID_CONDITION} (or {@code INVALID_SELECTOR} inside the selector) with a
 * field {@code path}, e.g. {@code $.conditions[0].revision}.
 */
public final class ConditionJson {
  private ConditionJson() {}

  /** Reads a condition at the root of a JSON document. */
  public static AppendCondition read(JsonNode node) {
    return read(node, "$");
  }

  /**
   * Reads a condition found at JSON path {@code path}.
   *
   * @throws EvidentSourceException {@code INVALID_CONDITION} or {@code INVALID_SELECTOR} naming the
   *     path
   */
  public static AppendCondition read(JsonNode node, String path) {
    if (!node.isObject()) {
      throw invalid(path, "a condition must be a JSON object, was " + JsonSupport.describe(node));
    }
    JsonNode typeNode = node.get("type");
    if (typeNode == null || !typeNode.isString()) {
      throw invalid(path + ".type", "a condition needs a string member 'type' (max, min, range)");
    }
    String type = typeNode.stringValue();
    Set<String> allowed =
        switch (type) {
          case "max", "min" -> Set.of("type", "selector", "revision");
          case "range" -> Set.of("type", "selector", "start", "end");
          default ->
              throw invalid(
                  path + ".type",
                  "unknown condition type '" + type + "'; expected max, min or range");
        };
    for (String name : node.propertyNames()) {
      if (!allowed.contains(name)) {
        throw invalid(
            path + "." + name,
            "unexpected member '" + name + "' in a condition of type '" + type + "'");
      }
    }
    JsonNode selectorNode = node.get("selector");
    if (selectorNode == null) {
      throw invalid(path + ".selector", "a condition needs a 'selector'");
    }
    EventSelector selector = SelectorJson.read(selectorNode, path + ".selector");
    try {
      return switch (type) {
        case "max" -> AppendCondition.max(selector, revision(node, path, "revision"));
        case "min" -> AppendCondition.min(selector, revision(node, path, "revision"));
        default ->
            AppendCondition.range(
                selector, revision(node, path, "start"), revision(node, path, "end"));
      };
    } catch (EvidentSourceException e) {
      if (e.fields().containsKey("path")) {
        throw e;
      }
      throw new EvidentSourceException(
          e.code(), e.getMessage() + " (at " + path + ")", Map.of("path", path), e);
    }
  }

  /** Reads a JSON array of conditions found at {@code path}. */
  public static List<AppendCondition> readList(JsonNode array, String path) {
    if (!array.isArray()) {
      throw invalid(path, "conditions must be an array, was " + JsonSupport.describe(array));
    }
    var out = new ArrayList<AppendCondition>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(read(array.get(i), path + "[" + i + "]"));
    }
    return out;
  }

  private static long revision(JsonNode node, String path, String member) {
    JsonNode value = node.get(member);
    String memberPath = path + "." + member;
    if (value == null || value.isNull()) {
      throw invalid(memberPath, "the condition needs '" + member + "', a revision >= 0");
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
      throw invalid(
          memberPath, "'" + member + "' must be a revision (an integer >= 0), was " + value);
    }
    return value.longValue();
  }

  private static EvidentSourceException invalid(String path, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_CONDITION, detail + " (at " + path + ")", Map.of("path", path));
  }

  /** Writes a condition as a JSON object. */
  public static void write(AppendCondition condition, JsonGenerator g) {
    g.writeStartObject();
    condition.match(
        max -> writeBound("max", max.selector(), max.revision(), g),
        min -> writeBound("min", min.selector(), min.revision(), g),
        range -> {
          writeTypeAndSelector("range", range.selector(), g);
          g.writeNumberProperty("start", range.start());
          return g.writeNumberProperty("end", range.end());
        });
    g.writeEndObject();
  }

  private static JsonGenerator writeBound(
      String type, EventSelector selector, long revision, JsonGenerator g) {
    writeTypeAndSelector(type, selector, g);
    return g.writeNumberProperty("revision", revision);
  }

  private static void writeTypeAndSelector(String type, EventSelector selector, JsonGenerator g) {
    g.writeStringProperty("type", type);
    g.writeName("selector");
    SelectorJson.write(selector, g);
  }

  /** The compact JSON text of a condition. */
  public static String toJson(AppendCondition condition) {
    var out = new ByteArrayOutputStream(64);
    try (JsonGenerator g = JsonSupport.mapper().createGenerator(out)) {
      write(condition, g);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Reads a condition from JSON text. */
  public static AppendCondition fromJson(String json) {
    return read(JsonSupport.parse(json.getBytes(StandardCharsets.UTF_8)));
  }
}
