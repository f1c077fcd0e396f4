package io.evidentsource.json;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.EventValidator;
import io.evidentsource.core.model.InstantText;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.model.Utf8;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.io.SerializedString;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;

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

  private static final SerializableString SPECVERSION_NAME = new SerializedString("specversion");
  private static final SerializableString SPECVERSION_VALUE =
      new SerializedString(Event.SPEC_VERSION);
  private static final SerializableString ID_NAME = new SerializedString("id");
  private static final SerializableString SOURCE_NAME = new SerializedString("source");
  private static final SerializableString TYPE_NAME = new SerializedString("type");
  private static final SerializableString SUBJECT_NAME = new SerializedString("subject");
  private static final SerializableString TIME_NAME = new SerializedString("time");
  private static final SerializableString DATACONTENTTYPE_NAME =
      new SerializedString("datacontenttype");
  private static final SerializableString DATASCHEMA_NAME = new SerializedString("dataschema");
  private static final SerializableString REVISION_NAME = new SerializedString(REVISION);
  private static final SerializableString RECORDED_TIME_NAME = new SerializedString(RECORDED_TIME);
  private static final SerializableString DATA_NAME = new SerializedString("data");

  /** Generators for NDJSON: no separator of Jackson's between root values, the target left open. */
  private static final ObjectWriter NDJSON_WRITER =
      JsonSupport.mapper()
          .writer()
          .without(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .withRootValueSeparator(new SerializedString(""));

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
      return JsonSupport.jsonData(data);
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
    writeObject(event, null, g, null);
  }

  /** Writes a stored event as one JSON object with {@code revision} and {@code recordedtime}. */
  public static void write(StoredEvent stored, JsonGenerator g) {
    writeObject(stored.event(), stored, g, null);
  }

  /**
   * Writes a stored event as {@link #write(StoredEvent, JsonGenerator)} does, taking the text of
   * its recorded time from {@code recordedTimes}, the cache of the stream or call writing it.
   */
  static void write(StoredEvent stored, JsonGenerator g, RecordedTimes recordedTimes) {
    writeObject(stored.event(), stored, g, recordedTimes);
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

  /**
   * Writes stored events as NDJSON: each event's compact JSON, as {@link #toJsonBytes(StoredEvent)}
   * gives it, followed by a line feed. One generator serves the whole stream, and {@code out} is
   * flushed after every {@code flushEvery} events and at the end; it is not closed.
   *
   * @throws IOException when writing to {@code out} fails (the client went away), the stream's own
   *     exception, not Jackson's wrapper
   */
  public static void writeNdjson(Iterator<StoredEvent> events, OutputStream out, int flushEvery)
      throws IOException {
    if (flushEvery < 1) {
      throw new IllegalArgumentException("flushEvery must be >= 1, was " + flushEvery);
    }
    try (JsonGenerator g = NDJSON_WRITER.createGenerator(out)) {
      var recordedTimes = new RecordedTimes();
      int written = 0;
      while (events.hasNext()) {
        write(events.next(), g, recordedTimes);
        g.writeRaw('\n');
        if (++written % flushEvery == 0) {
          g.flush();
        }
      }
      g.flush();
    } catch (JacksonIOException e) {
      throw e.getCause();
    }
  }

  private static void writeObject(
      Event e,
      @Nullable StoredEvent stored,
      JsonGenerator g,
      @Nullable RecordedTimes recordedTimes) {
    g.writeStartObject();
    g.writeName(SPECVERSION_NAME);
    g.writeString(SPECVERSION_VALUE);
    g.writeName(ID_NAME);
    g.writeString(e.id());
    g.writeName(SOURCE_NAME);
    g.writeString(e.source());
    g.writeName(TYPE_NAME);
    g.writeString(e.type());
    if (e.subject() != null) {
      g.writeName(SUBJECT_NAME);
      g.writeString(e.subject());
    }
    if (e.time() != null) {
      g.writeName(TIME_NAME);
      g.writeString(e.time().text());
    }
    if (e.dataContentType() != null) {
      g.writeName(DATACONTENTTYPE_NAME);
      g.writeString(e.dataContentType());
    }
    if (e.dataSchema() != null) {
      g.writeName(DATASCHEMA_NAME);
      g.writeString(e.dataSchema());
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
      g.writeName(REVISION_NAME);
      g.writeNumber(stored.revision());
      g.writeName(RECORDED_TIME_NAME);
      Instant recorded = stored.recordedTime();
      g.writeString(
          recordedTimes == null ? InstantText.of(recorded) : recordedTimes.text(recorded));
    }
    EventData data = e.data();
    if (data != null) {
      data.match(
          json -> writeJsonData(json, g),
          text -> g.writeStringProperty("data", text.text()),
          binary ->
              g.writeStringProperty(
                  "data_base64", Base64.getEncoder().encodeToString(binary.bytes())));
    }
    g.writeEndObject();
  }

  /**
   * Writes JSON data as it is stored. Well-formed UTF-8 (all that the readers store) goes out as
   * its bytes, without decoding it to a {@code String} and encoding it again; anything else goes
   * the way of the {@code String}, as before, so the output is the same bytes either way. Data
   * marked well-formed ({@link EventData.Json#wellFormed()}: checked once where it came from) is
   * not scanned again; data of unknown provenance is.
   */
  private static JsonGenerator writeJsonData(EventData.Json json, JsonGenerator g) {
    g.writeName(DATA_NAME);
    byte[] utf8 = json.utf8();
    if (json.wellFormed() || Utf8.firstMalformed(utf8, 0, utf8.length) < 0) {
      return g.writeRawValue(new RawUtf8(utf8));
    }
    return g.writeRawValue(json.text());
  }

  /**
   * Well-formed UTF-8 JSON text as a raw value: a UTF-8 generator copies the bytes; other
   * generators (characters, token buffers) get the decoded text from {@link #getValue()}.
   */
  private static final class RawUtf8 implements SerializableString {
    private final byte[] utf8;
    private @Nullable SerializedString text;

    RawUtf8(byte[] utf8) {
      this.utf8 = utf8;
    }

    private SerializedString text() {
      SerializedString t = text;
      if (t == null) {
        t = new SerializedString(new String(utf8, StandardCharsets.UTF_8));
        text = t;
      }
      return t;
    }

    @Override
    public String getValue() {
      return text().getValue();
    }

    @Override
    public int charLength() {
      return text().charLength();
    }

    @Override
    public char[] asQuotedChars() {
      return text().asQuotedChars();
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return utf8;
    }

    @Override
    public byte[] asQuotedUTF8() {
      return text().asQuotedUTF8();
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      return text().appendQuotedUTF8(buffer, offset);
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      return text().appendQuoted(buffer, offset);
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      if (offset + utf8.length > buffer.length) {
        return -1;
      }
      System.arraycopy(utf8, 0, buffer, offset, utf8.length);
      return utf8.length;
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
      return text().appendUnquoted(buffer, offset);
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) throws IOException {
      return text().writeQuotedUTF8(out);
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      out.write(utf8);
      return utf8.length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) throws IOException {
      return text().putQuotedUTF8(buffer);
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) throws IOException {
      if (utf8.length > buffer.remaining()) {
        return -1;
      }
      buffer.put(utf8);
      return utf8.length;
    }
  }
}
