package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads the attributes of one DynamoDB item by their wire type: {@code S} as text or an RFC 3339
 * instant, {@code N} as a whole number, {@code B} as bytes, {@code L} as a list. A required
 * attribute that is missing, has another type or does not parse is an {@code INTERNAL} error whose
 * message and fields name the table, the item's key and the attribute, so a damaged or foreign item
 * is found without a debugger. Optional attributes read as null when absent, and fail the same way
 * when present with another type.
 */
final class ItemReader {
  private final String table;
  private final Map<String, AttributeValue> item;
  private final String[] keyAttributes;

  private ItemReader(String table, Map<String, AttributeValue> item, String[] keyAttributes) {
    this.table = table;
    this.item = item;
    this.keyAttributes = keyAttributes;
  }

  /**
   * @param table the table the item was read from (named in errors)
   * @param item the item's attributes
   * @param keyAttributes the names of the table's key attributes (their values name the item in
   *     errors)
   */
  static ItemReader of(String table, Map<String, AttributeValue> item, String... keyAttributes) {
    return new ItemReader(table, item, keyAttributes);
  }

  /** Whether the item has {@code attribute}, of any type. */
  boolean has(String attribute) {
    return item.containsKey(attribute);
  }

  /** A required string ({@code S}). */
  String string(String attribute) {
    return required(attribute, AttributeValue.Type.S).s();
  }

  /** An optional string ({@code S}), null when absent. */
  @Nullable String optionalString(String attribute) {
    AttributeValue value = optional(attribute, AttributeValue.Type.S);
    return value == null ? null : value.s();
  }

  /** A required whole number ({@code N}) in the range of {@code long}. */
  long number(String attribute) {
    String text = required(attribute, AttributeValue.Type.N).n();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw invalid(attribute, "is not a whole number: " + text);
    }
  }

  /** A required whole number ({@code N}) in the range of {@code int}. */
  int intNumber(String attribute) {
    long value = number(attribute);
    if (value != (int) value) {
      throw invalid(attribute, "is out of the int range: " + value);
    }
    return (int) value;
  }

  /** An optional whole number ({@code N}), {@code absent} when the item lacks it. */
  long number(String attribute, long absent) {
    return has(attribute) ? number(attribute) : absent;
  }

  /** A required instant, stored as RFC 3339 text ({@code S}) with its full precision. */
  Instant instant(String attribute) {
    String text = string(attribute);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw invalid(attribute, "is not an RFC 3339 instant: " + text);
    }
  }

  /** A required binary value ({@code B}). */
  byte[] bytes(String attribute) {
    return required(attribute, AttributeValue.Type.B).b().asByteArray();
  }

  /** An optional list ({@code L}), null when absent. */
  @Nullable List<AttributeValue> optionalList(String attribute) {
    AttributeValue value = optional(attribute, AttributeValue.Type.L);
    return value == null ? null : value.l();
  }

  /**
   * The error for an attribute that is present but wrong, e.g. an unknown enumeration value.
   *
   * @param problem what is wrong, as a predicate of the attribute ("holds unknown kind 'x'")
   */
  EvidentSourceException invalid(String attribute, String problem) {
    String key = key();
    var fields = new LinkedHashMap<String, Object>();
    fields.put("table", table);
    fields.put("key", key);
    fields.put("attribute", attribute);
    return new EvidentSourceException(
        ErrorCode.INTERNAL,
        "DynamoDB item "
            + key
            + " in table '"
            + table
            + "': attribute '"
            + attribute
            + "' "
            + problem,
        fields);
  }

  private AttributeValue required(String attribute, AttributeValue.Type type) {
    AttributeValue value = optional(attribute, type);
    if (value == null) {
      throw invalid(attribute, "is missing (expected type " + type + ")");
    }
    return value;
  }

  private @Nullable AttributeValue optional(String attribute, AttributeValue.Type type) {
    AttributeValue value = item.get(attribute);
    if (value != null && value.type() != type) {
      throw invalid(attribute, "has type " + value.type() + ", expected " + type);
    }
    return value;
  }

  /** The item's key as {@code {name=value, ...}}, values shown as text. */
  private String key() {
    var parts = new StringBuilder("{");
    for (String name : keyAttributes) {
      if (parts.length() > 1) {
        parts.append(", ");
      }
      AttributeValue value = item.get(name);
      parts.append(name).append('=').append(value == null ? "(missing)" : text(value));
    }
    return parts.append('}').toString();
  }

  private static String text(AttributeValue value) {
    return switch (value.type()) {
      case S -> value.s();
      case N -> value.n();
      default -> value.type().toString();
    };
  }
}
