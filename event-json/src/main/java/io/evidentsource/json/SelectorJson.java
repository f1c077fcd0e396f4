package io.evidentsource.json;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The JSON shape of event selectors (docs/data-model.md#event-selectors):
 *
 * <pre>
 * {"type":"any"}
 * {"type":"equals","attr":{"stream":"..."}}        // or subject, event_type, tag
 * {"type":"equals","attr":{"subject":null}}        // events without a subject
 * {"type":"starts_with","attr":{"subject":"issues/"}}
 * {"type":"and","selectors":[...]}   {"type":"or","selectors":[...]}
 * </pre>
 *
 * Errors are {@code INVALID_SELECTOR} with a field {@code path}, the JSON path of the offending
 * value, e.g. {@code $.selector.selectors[1].attr}.
 */
public final class SelectorJson {
  private static final String TYPES = "any, equals, starts_with, and, or";
  private static final String ATTRIBUTES = "stream, subject, event_type, tag";

  private SelectorJson() {}

  /** Reads a selector at the root of a JSON document. */
  public static EventSelector read(JsonNode node) {
    return read(node, "$");
  }

  /**
   * Reads a selector found at JSON path {@code path} (used in error messages).
   *
   * @throws EvidentSourceException {@code INVALID_SELECTOR} naming the path
   */
  public static EventSelector read(JsonNode node, String path) {
    if (!node.isObject()) {
      throw invalid(path, "a selector must be a JSON object, was " + JsonSupport.describe(node));
    }
    JsonNode typeNode = node.get("type");
    if (typeNode == null || !typeNode.isString()) {
      throw invalid(path + ".type", "a selector needs a string member 'type' (" + TYPES + ")");
    }
    String type = typeNode.stringValue();
    return switch (type) {
      case "any" -> {
        onlyMembers(node, path, Set.of("type"));
        yield EventSelector.any();
      }
      case "equals", "starts_with" -> attributeSelector(node, path, type.equals("equals"));
      case "and", "or" -> composite(node, path, type.equals("and"));
      default ->
          throw invalid(path + ".type", "unknown selector type '" + type + "'; expected " + TYPES);
    };
  }

  private static EventSelector attributeSelector(JsonNode node, String path, boolean equals) {
    onlyMembers(node, path, Set.of("type", "attr"));
    String attrPath = path + ".attr";
    JsonNode attr = node.get("attr");
    if (attr == null || !attr.isObject() || attr.size() != 1) {
      throw invalid(
          attrPath,
          "'attr' must be an object with exactly one member, one of "
              + ATTRIBUTES
              + ", e.g. {\"stream\":\"orders\"}");
    }
    Map.Entry<String, JsonNode> member = attr.properties().iterator().next();
    String name = member.getKey();
    String valuePath = attrPath + "." + name;
    Attribute attribute =
        Attribute.fromJsonName(name)
            .orElseThrow(
                () ->
                    invalid(
                        valuePath,
                        "unknown selector attribute '" + name + "'; expected " + ATTRIBUTES));
    JsonNode value = member.getValue();
    if (value.isNull()) {
      if (equals && attribute == Attribute.SUBJECT) {
        return EventSelector.noSubject();
      }
      throw invalid(
          valuePath,
          equals
              ? "only 'subject' may be compared with null (events without a subject)"
              : "a starts_with prefix must be a string, was null");
    }
    if (!value.isString()) {
      throw invalid(valuePath, "the value must be a string, was " + JsonSupport.describe(value));
    }
    return equals
        ? new EventSelector.Equals(attribute, value.stringValue())
        : new EventSelector.StartsWith(attribute, value.stringValue());
  }

  private static EventSelector composite(JsonNode node, String path, boolean and) {
    onlyMembers(node, path, Set.of("type", "selectors"));
    String listPath = path + ".selectors";
    JsonNode list = node.get("selectors");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw invalid(listPath, "'selectors' must be a non-empty array of selectors");
    }
    var parts = new ArrayList<EventSelector>(list.size());
    for (int i = 0; i < list.size(); i++) {
      parts.add(read(list.get(i), listPath + "[" + i + "]"));
    }
    return and ? new EventSelector.And(parts) : new EventSelector.Or(parts);
  }

  private static void onlyMembers(JsonNode node, String path, Set<String> allowed) {
    for (String name : node.propertyNames()) {
      if (!allowed.contains(name)) {
        throw invalid(
            path + "." + name,
            "unexpected member '"
                + name
                + "' in a selector of type '"
                + node.get("type").stringValue()
                + "'");
      }
    }
  }

  static EvidentSourceException invalid(String path, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_SELECTOR, detail + " (at " + path + ")", Map.of("path", path));
  }

  /** Writes a selector as a JSON object. */
  public static void write(EventSelector selector, JsonGenerator g) {
    g.writeStartObject();
    selector.match(
        any -> g.writeStringProperty("type", "any"),
        equals -> writeAttribute("equals", equals.attribute(), equals.value(), g),
        startsWith -> writeAttribute("starts_with", startsWith.attribute(), startsWith.prefix(), g),
        and -> writeList("and", and.selectors(), g),
        or -> writeList("or", or.selectors(), g));
    g.writeEndObject();
  }

  private static JsonGenerator writeAttribute(
      String type, Attribute attribute, @Nullable String value, JsonGenerator g) {
    g.writeStringProperty("type", type);
    g.writeName("attr");
    g.writeStartObject();
    if (value == null) {
      g.writeNullProperty(attribute.jsonName());
    } else {
      g.writeStringProperty(attribute.jsonName(), value);
    }
    return g.writeEndObject();
  }

  private static JsonGenerator writeList(
      String type, List<EventSelector> selectors, JsonGenerator g) {
    g.writeStringProperty("type", type);
    g.writeName("selectors");
    g.writeStartArray();
    for (EventSelector s : selectors) {
      write(s, g);
    }
    return g.writeEndArray();
  }

  /** The compact JSON text of a selector. */
  public static String toJson(EventSelector selector) {
    var out = new ByteArrayOutputStream(64);
    try (JsonGenerator g = JsonSupport.mapper().createGenerator(out)) {
      write(selector, g);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Reads a selector from JSON text. */
  public static EventSelector fromJson(String json) {
    return read(JsonSupport.parse(json.getBytes(StandardCharsets.UTF_8)));
  }
}
