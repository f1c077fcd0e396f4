package io.evidentsource.core.model;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks events against CloudEvents 1.0 and the configured {@link EventLimits}. Every error names
 * the attribute and, for limits, the limit and the actual size; in a batch it also names the
 * event's zero-based {@code index}.
 */
public final class EventValidator {
  /** Extension names set by the server; a client may not send them (docs/data-model.md#events). */
  public static final Set<String> RESERVED_EXTENSIONS = Set.of("revision", "recordedtime");

  /** CloudEvents context attributes; an extension may not reuse their names. */
  public static final Set<String> CONTEXT_ATTRIBUTES =
      Set.of(
          "id",
          "source",
          "specversion",
          "type",
          "subject",
          "time",
          "datacontenttype",
          "dataschema",
          "data",
          "data_base64");

  // CloudEvents 1.0 §Attribute Naming Convention: lower-case a-z and digits 0-9 only.
  private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]+");

  private final EventLimits limits;

  /**
   * @param limits the limits to enforce
   */
  public EventValidator(EventLimits limits) {
    this.limits = limits;
  }

  /** The limits in force. */
  public EventLimits limits() {
    return limits;
  }

  /**
   * Validates a transaction's events: non-empty, within the batch limit, each event valid.
   *
   * @throws EvidentSourceException {@link ErrorCode#EMPTY_TRANSACTION}, {@link
   *     ErrorCode#BATCH_TOO_LARGE} or the event's own error with field {@code index}
   */
  public void validateBatch(List<Event> events) {
    if (events.isEmpty()) {
      throw new EvidentSourceException(
          ErrorCode.EMPTY_TRANSACTION, "a transaction needs at least one event");
    }
    if (events.size() > limits.maxBatchEvents()) {
      throw new EvidentSourceException(
          ErrorCode.BATCH_TOO_LARGE,
          "the transaction has "
              + events.size()
              + " events; the batch limit (max-batch-events) is "
              + limits.maxBatchEvents(),
          Map.of("limit", limits.maxBatchEvents(), "actual", events.size()));
    }
    for (int i = 0; i < events.size(); i++) {
      try {
        validate(events.get(i));
      } catch (EvidentSourceException e) {
        throw e.withField("index", i);
      }
    }
  }

  /**
   * Validates one event.
   *
   * @throws EvidentSourceException with code {@link ErrorCode#MISSING_ATTRIBUTE}, {@link
   *     ErrorCode#INVALID_ATTRIBUTE}, {@link ErrorCode#ATTRIBUTE_TOO_LONG}, {@link
   *     ErrorCode#INVALID_EXTENSION_NAME}, {@link ErrorCode#RESERVED_ATTRIBUTE}, {@link
   *     ErrorCode#INVALID_TAG} or {@link ErrorCode#EVENT_TOO_LARGE}
   */
  public void validate(Event event) {
    requireNonEmpty("id", event.id());
    requireNonEmpty("source", event.source());
    requireNonEmpty("type", event.type());
    if (event.subject() != null) {
      requireNonEmpty("subject", event.subject());
    }
    requireUnicode("id", event.id());
    requireUnicode("source", event.source());
    requireUnicode("type", event.type());
    requireUnicode("subject", event.subject());
    requireUnicode("datacontenttype", event.dataContentType());
    requireUnicode("dataschema", event.dataSchema());
    int size = 0;
    size += checkLength("source", event.source());
    size += checkLength("type", event.type());
    if (event.subject() != null) {
      size += checkLength("subject", event.subject());
    }
    size += "id".length() + Utf8.length(event.id()) + "specversion".length() + 3;
    if (event.time() != null) {
      if (!event.time().isInAcceptedRange()) {
        throw new EvidentSourceException(
            ErrorCode.INVALID_ATTRIBUTE,
            "attribute 'time' must lie between "
                + EventTime.MIN_ACCEPTED
                + " and "
                + EventTime.MAX_ACCEPTED
                + " (the range effective times are indexed on), was '"
                + event.time().text()
                + "'",
            Map.of(
                "attribute",
                "time",
                "min",
                EventTime.MIN_ACCEPTED.toString(),
                "max",
                EventTime.MAX_ACCEPTED.toString()));
      }
      size += "time".length() + event.time().text().length();
    }
    if (event.dataContentType() != null) {
      requireNonEmpty("datacontenttype", event.dataContentType());
      size += "datacontenttype".length() + Utf8.length(event.dataContentType());
    }
    if (event.dataSchema() != null) {
      requireNonEmpty("dataschema", event.dataSchema());
      size += "dataschema".length() + Utf8.length(event.dataSchema());
    }
    for (var e : event.extensions().entrySet()) {
      String name = e.getKey();
      if (RESERVED_EXTENSIONS.contains(name)) {
        throw new EvidentSourceException(
            ErrorCode.RESERVED_ATTRIBUTE,
            "attribute '" + name + "' is set by the server on write; remove it from the event",
            Map.of("attribute", name));
      }
      if (!EXTENSION_NAME.matcher(name).matches() || CONTEXT_ATTRIBUTES.contains(name)) {
        throw new EvidentSourceException(
            ErrorCode.INVALID_EXTENSION_NAME,
            "extension attribute name '"
                + name
                + "' must consist of lower-case letters a-z and digits 0-9 and not be a context"
                + " attribute (CloudEvents 1.0, Attribute Naming Convention)",
            Map.of("attribute", name));
      }
      Object v = e.getValue();
      if (v instanceof String s) {
        requireUnicode(name, s);
        size += name.length() + Utf8.length(s);
      } else if (v instanceof Boolean || v instanceof Integer) {
        size += name.length() + 11;
      } else {
        throw new EvidentSourceException(
            ErrorCode.INVALID_ATTRIBUTE,
            "extension attribute '"
                + name
                + "' must be a string, a boolean or a 32-bit integer (CloudEvents type system)",
            Map.of("attribute", name));
      }
      if (name.equals(Event.TAGS_EXTENSION)) {
        if (!(v instanceof String s)) {
          throw new EvidentSourceException(
              ErrorCode.INVALID_TAG,
              "extension 'tags' must be a string of comma-separated tags",
              Map.of("attribute", name));
        }
        Tags.validate(s);
      }
    }
    if (event.data() != null) {
      requireUnicode(event.data());
      size += "data".length() + event.data().sizeBytes();
    }
    if (size > limits.maxEventBytes()) {
      throw new EvidentSourceException(
          ErrorCode.EVENT_TOO_LARGE,
          "the event is "
              + size
              + " bytes; the event size limit (max-event-bytes) is "
              + limits.maxEventBytes()
              + " bytes",
          limitFields(limits.maxEventBytes(), size, "id", event.id()));
    }
  }

  private int checkLength(String attribute, String value) {
    int bytes = Utf8.length(value);
    if (bytes > limits.maxAttributeBytes()) {
      throw new EvidentSourceException(
          ErrorCode.ATTRIBUTE_TOO_LONG,
          "attribute '"
              + attribute
              + "' is "
              + bytes
              + " bytes (UTF-8); the attribute limit (max-attribute-bytes) is "
              + limits.maxAttributeBytes()
              + " bytes",
          limitFields(limits.maxAttributeBytes(), bytes, "attribute", attribute));
    }
    return attribute.length() + bytes;
  }

  private static Map<String, Object> limitFields(int limit, int actual, String key, String value) {
    var m = new LinkedHashMap<String, Object>();
    m.put("limit", limit);
    m.put("actual", actual);
    m.put(key, value);
    return m;
  }

  /**
   * Refuses text with an unpaired UTF-16 surrogate: it has no UTF-8 form (stored, it would come
   * back as {@code ?} or break readers in other languages).
   */
  private static void requireUnicode(String attribute, @Nullable String value) {
    if (value == null) {
      return;
    }
    int at = Utf8.firstLoneSurrogate(value);
    if (at >= 0) {
      throw loneSurrogate(attribute, "character", at, value.charAt(at));
    }
  }

  /** Refuses text data with an unpaired surrogate, and JSON data with a string that has one. */
  private static void requireUnicode(EventData data) {
    if (data instanceof EventData.Text text) {
      requireUnicode("data", text.text());
    } else if (data instanceof EventData.Json json) {
      int at = Utf8.firstLoneSurrogateEscape(json.utf8());
      if (at >= 0) {
        throw loneSurrogate("data", "offset", at, surrogateAt(json.utf8(), at));
      }
    }
  }

  /** The surrogate code unit written at {@code at}: an escape, or a surrogate in UTF-8. */
  private static int surrogateAt(byte[] json, int at) {
    if ((json[at] & 0xff) == 0xED && at + 2 < json.length) {
      return 0xD000 | (json[at + 1] & 0x3f) << 6 | (json[at + 2] & 0x3f);
    }
    try {
      return Integer.parseInt(
          new String(json, at + 2, 4, java.nio.charset.StandardCharsets.US_ASCII), 16);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static EvidentSourceException loneSurrogate(
      String attribute, String positionName, int position, int unit) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("attribute", attribute);
    fields.put(positionName, position);
    String hex = String.format(java.util.Locale.ROOT, "U+%04X", unit);
    return new EvidentSourceException(
        ErrorCode.INVALID_ATTRIBUTE,
        "attribute '"
            + attribute
            + "' holds the unpaired UTF-16 surrogate "
            + hex
            + " at "
            + positionName
            + " "
            + position
            + "; text must be Unicode scalar values (a high surrogate D800-DBFF directly followed"
            + " by a low one DC00-DFFF, or neither; RFC 8259 §8.2)",
        fields);
  }

  private static void requireNonEmpty(String attribute, String value) {
    if (value.isEmpty()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_ATTRIBUTE,
          "attribute '" + attribute + "' must be a non-empty string",
          Map.of("attribute", attribute));
    }
  }
}
