package io.evidentsource.json;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.EventValidator;
import io.evidentsource.core.model.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * Reads and writes events in the CloudEvents JSON event format 1.0, to the letter:
 *
 * <ul>
 *   <li>context attributes and extensions are top-level members; {@code specversion} must be {@code
 *       "1.0"};
 *   <li>{@code data} holding JSON (when {@code datacontenttype} is absent or a JSON media type) is
 *       kept as compact JSON text; a JSON string with a non-JSON {@code datacontenttype} is text
 *       data; {@code data_base64} is binary data, and binary data is always written as {@code
 *       data_base64};
 *   <li>extension values are strings, booleans or 32-bit integers;
 *   <li>{@code time} keeps the text it was sent with;
 *   <li>a stored event carries the server's extensions {@code revision} (a JSON number) and {@code
 *       recordedtime} (RFC 3339, UTC, full precision).
 * </ul>
 *
 * <p>Reading checks the format only; {@link EventValidator} checks values and limits (and rejects
 * client-sent {@code revision}/{@code recordedtime}, which the reader passes through as extensions
 * for that purpose).
 */
public final class CloudEventJson {
  /** The media type of one event in structured mode. */
  public static final String MEDIA_TYPE = "application/cloudevents+json";

  /** The media type of a batch of events (a JSON array). */
  public static final String BATCH_MEDIA_TYPE = "application/cloudevents-batch+json";

  /** Extension with the stored event's revision. */
  public static final String REVISION = "revision";

  /** Extension with the stored event's commit time. */
  public static final String RECORDED_TIME = "recordedtime";

  private CloudEventJson() {}

  // ---------------------------------------------------------------------------------- reading

  /**
   * Reads one event from JSON text.
   *
   * @throws EvidentSourceException {@code MALFORMED_JSON}, {@code MALFORMED_REQUEST} (not an
   *     object), {@code MISSING_ATTRIBUTE}, {@code UNSUPPORTED_SPECVERSION} or {@code
   *     INVALID_ATTRIBUTE}, each naming the attribute
   */
  public static Event readEvent(byte[] json) {
    return readEvent(JsonSupport.parse(json));
  }

  /** Reads one event from JSON text; see {@link #readEvent(byte[])}. */
  public static Event readEvent(String json) {
    return readEvent(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a batch: a JSON array of events ({@code application/cloudevents-batch+json}). An error in
   * an event carries its zero-based {@code index}.
   */
  public static List<Event> readBatch(byte[] json) {
    JsonNode node = JsonSupport.parse(json);
    if (!node.isArray()) {
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_REQUEST,
          "a CloudEvents batch must be a JSON array of events, was " + JsonSupport.describe(node));
    }
    return readEvents(node, "index");
  }

  /**
   * Reads every element of a JSON array as an event; an error carries the element's zero-based
   * position under {@code indexField}.
   */
  public static List<Event> readEvents(JsonNode array, String indexField) {
    var events = new ArrayList<Event>(array.size());
    int i = 0;
    for (JsonNode element : array) {
      try {
        events.add(readEvent(element));
      } catch (EvidentSourceException e) {
        throw e.withField(indexField, i);
      }
      i++;
    }
    return events;
  }

  /** Reads one event from a parsed JSON value; see {@link #readEvent(byte[])}. */
  public static Event readEvent(JsonNode node) {
    if (!node.isObject()) {
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_REQUEST,
          "a CloudEvent must be a JSON object, was " + JsonSupport.describe(node));
    }
    JsonNode specversion = node.get("specversion");
    if (specversion == null || specversion.isNull()) {
      throw missing("specversion");
    }
    if (!specversion.isString() || !Event.SPEC_VERSION.equals(specversion.stringValue())) {
      String sent = specversion.isString() ? specversion.stringValue() : specversion.toString();
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_SPECVERSION,
          "specversion '" + sent + "' is not supported; send \"specversion\": \"1.0\"",
          Map.of("attribute", "specversion", "specversion", sent));
    }
    var b = Event.builder();
    b.id(requiredString(node, "id"));
    b.source(requiredString(node, "source"));
    b.type(requiredString(node, "type"));
    b.subject(optionalString(node, "subject"));
    String time = optionalString(node, "time");
    if (time != null) {
      b.time(EventTime.parse(time));
    }
    String contentType = optionalString(node, "datacontenttype");
    b.dataContentType(contentType);
    b.dataSchema(optionalString(node, "dataschema"));
    for (Map.Entry<String, JsonNode> member : node.properties()) {
      String name = member.getKey();
      if (EventValidator.CONTEXT_ATTRIBUTES.contains(name)) {
        continue;
      }
      Object value = extensionValue(name, member.getValue());
      if (value != null) {
        b.extension(name, value);
      }
    }
    b.data(data(node, contentType));
    return b.build();
  }

  /**
   * Reads a stored event: an event with the {@code revision} and {@code recordedtime} extensions,
   * which are removed from the event's extensions.
   */
  public static StoredEvent readStoredEvent(byte[] json) {
    return readStoredEvent(JsonSupport.parse(json));
  }

  /** Reads a stored event from a parsed JSON value; see {@link #readStoredEvent(byte[])}. */
  public static StoredEvent readStoredEvent(JsonNode node) {
    Event event = readEvent(node);
    Object revision = event.extensions().get(REVISION);
    Object recorded = event.extensions().get(RECORDED_TIME);
    if (revision == null) {
      throw missing(REVISION);
    }
    if (recorded == null) {
      throw missing(RECORDED_TIME);
    }
    if (!(revision instanceof Long number) || number < 1) {
      throw invalid(REVISION, "extension 'revision' must be a revision number >= 1");
    }
    if (!(recorded instanceof String recordedText)) {
      throw invalid(RECORDED_TIME, "extension 'recordedtime' must be an RFC 3339 timestamp");
    }
    Instant recordedTime;
    try {
      recordedTime = EventTime.parse(recordedText).instant();
    } catch (EvidentSourceException e) {
      throw invalid(
          RECORDED_TIME,
          "extension 'recordedtime' must be an RFC 3339 timestamp, was '" + recordedText + "'");
    }
    var extensions = new LinkedHashMap<>(event.extensions());
    extensions.remove(REVISION);
    extensions.remove(RECORDED_TIME);
    var stripped =
        new Event(
            event.id(),
            event.source(),
            event.type(),
            event.subject(),
            event.time(),
            event.dataContentType(),
            event.dataSchema(),
            extensions,
            event.data());
    return new StoredEvent(number, recordedTime, stripped);
  }

  /**
   * Whether a media type declares JSON data: {@code application/json}, {@code text/json} or any
   * {@code +json} suffix (parameters ignored, case-insensitive).
   */
  public static boolean isJsonMediaType(@Nullable String mediaType) {
    if (mediaType == null) {
      return false;
    }
    int semicolon = mediaType.indexOf(';');
    String essence =
        (semicolon < 0 ? mediaType : mediaType.substring(0, semicolon))
            .strip()
            .toLowerCase(Locale.ROOT);
    return essence.equals("application/json")
        || essence.equals("text/json")
        || (essence.endsWith("+json") && essence.indexOf('/') > 0);
  }

  private static @Nullable EventData data(JsonNode node, @Nullable String contentType) {
    JsonNode data = node.get("data");
    JsonNode base64 = node.get("data_base64");
    boolean hasData = data != null && !data.isNull();
    boolean hasBase64 = base64 != null && !base64.isNull();
    if (hasData && hasBase64) {
      throw invalid(
          "data", "an event may carry 'data' or 'data_base64', not both (CloudEvents JSON §3.1)");
    }
    if (hasBase64) {
      if (!base64.isString()) {
        throw invalid(
            "data_base64",
            "attribute 'data_base64' must be a base64 string, was " + JsonSupport.describe(base64));
      }
      try {
        return new EventData.Binary(Base64.getDecoder().decode(base64.stringValue()));
      } catch (IllegalArgumentException e) {
        throw invalid("data_base64", "attribute 'data_base64' is not valid base64 (RFC 4648 §4)");
      }
    }
    if (!hasData) {
      return null;
    }
    if (contentType == null || isJsonMediaType(contentType)) {
      return new EventData.Json(JsonSupport.compact(data));
    }
    if (data.isString()) {
      return new EventData.Text(data.stringValue());
    }
    throw invalid(
        "data",
        "attribute 'data' must be a JSON string when datacontenttype '"
            + contentType
            + "' is not a JSON media type, was "
            + JsonSupport.describe(data));
  }

  private static @Nullable Object extensionValue(String name, JsonNode value) {
    if (value.isNull()) {
      return null;
    }
    if (EventValidator.RESERVED_EXTENSIONS.contains(name)) {
      // Kept whatever its type so that the validator reports RESERVED_ATTRIBUTE for client
      // events, and readStoredEvent can read the server's values.
      if (value.isIntegralNumber() && value.canConvertToLong()) {
        return value.longValue();
      }
      return value.isString() ? value.stringValue() : value.toString();
    }
    if (value.isString()) {
      return value.stringValue();
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      return value.intValue();
    }
    throw invalid(
        name,
        "extension attribute '"
            + name
            + "' must be a string, a boolean or a 32-bit integer (CloudEvents type system), was "
            + (value.isNumber() ? "the number " + value : JsonSupport.describe(value)));
  }

  private static String requiredString(JsonNode node, String attribute) {
    String value = optionalString(node, attribute);
    if (value == null) {
      throw missing(attribute);
    }
    return value;
  }

  private static @Nullable String optionalString(JsonNode node, String attribute) {
    JsonNode value = node.get(attribute);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      throw invalid(
          attribute,
          "attribute '" + attribute + "' must be a string, was " + JsonSupport.describe(value));
    }
    return value.stringValue();
  }

  private static EvidentSourceException missing(String attribute) {
    return new EvidentSourceException(
        ErrorCode.MISSING_ATTRIBUTE,
        "required attribute '" + attribute + "' is missing",
        Map.of("attribute", attribute));
  }

  private static EvidentSourceException invalid(String attribute, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_ATTRIBUTE, detail, Map.of("attribute", attribute));
  }

  // ---------------------------------------------------------------------------------- writing

  /** Writes an event as one JSON object. */
  public static void write(Event event, JsonGenerator g) {
    writeObject(event, null, g);
  }

  /** Writes a stored event as one JSON object with {@code revision} and {@code recordedtime}. */
  public static void write(StoredEvent stored, JsonGenerator g) {
    writeObject(stored.event(), stored, g);
  }

  /** The compact JSON text of an event. */
  public static String toJson(Event event) {
    return new String(toJsonBytes(event), StandardCharsets.UTF_8);
  }

  /** The compact JSON text of a stored event. */
  public static String toJson(StoredEvent stored) {
    return new String(toJsonBytes(stored), StandardCharsets.UTF_8);
  }

  /** The compact UTF-8 JSON of an event. */
  public static byte[] toJsonBytes(Event event) {
    var out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JsonSupport.mapper().createGenerator(out)) {
      write(event, g);
    }
    return out.toByteArray();
  }

  /** The compact UTF-8 JSON of a stored event. */
  public static byte[] toJsonBytes(StoredEvent stored) {
    var out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JsonSupport.mapper().createGenerator(out)) {
      write(stored, g);
    }
    return out.toByteArray();
  }

  private static void writeObject(Event e, @Nullable StoredEvent stored, JsonGenerator g) {
    g.writeStartObject();
    g.writeStringProperty("specversion", Event.SPEC_VERSION);
    g.writeStringProperty("id", e.id());
    g.writeStringProperty("source", e.source());
    g.writeStringProperty("type", e.type());
    if (e.subject() != null) {
      g.writeStringProperty("subject", e.subject());
    }
    if (e.time() != null) {
      g.writeStringProperty("time", e.time().text());
    }
    if (e.dataContentType() != null) {
      g.writeStringProperty("datacontenttype", e.dataContentType());
    }
    if (e.dataSchema() != null) {
      g.writeStringProperty("dataschema", e.dataSchema());
    }
    for (Map.Entry<String, Object> ext : e.extensions().entrySet()) {
      if (stored != null && (ext.getKey().equals(REVISION) || ext.getKey().equals(RECORDED_TIME))) {
        continue; // the server's values win
      }
      Object v = ext.getValue();
      g.writeName(ext.getKey());
      if (v instanceof Boolean bool) {
        g.writeBoolean(bool);
      } else if (v instanceof Integer i) {
        g.writeNumber(i);
      } else if (v instanceof Long l) {
        g.writeNumber(l);
      } else {
        g.writeString(String.valueOf(v));
      }
    }
    if (stored != null) {
      g.writeNumberProperty(REVISION, stored.revision());
      g.writeStringProperty(RECORDED_TIME, stored.recordedTime().toString());
    }
    EventData data = e.data();
    if (data != null) {
      data.match(
          json -> g.writeName("data").writeRawValue(json.text()),
          text -> g.writeStringProperty("data", text.text()),
          binary ->
              g.writeStringProperty(
                  "data_base64", Base64.getEncoder().encodeToString(binary.bytes())));
    }
    g.writeEndObject();
  }
}
