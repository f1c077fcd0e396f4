package io.evidentsource.ingress.kafka;

import io.cloudevents.CloudEventData;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import io.cloudevents.rw.CloudEventWriter;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.json.BinaryModeData;
import io.evidentsource.json.CloudEventJson;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * Reads one CloudEvent from a Kafka record, as the CloudEvents Kafka protocol binding 1.0 defines
 * it:
 *
 * <ul>
 *   <li><b>structured mode</b>: the {@code content-type} header starts with {@code
 *       application/cloudevents}; it must be {@code application/cloudevents+json} (parameters
 *       allowed), and the value is the event in the JSON format, read exactly as the REST API reads
 *       a structured-mode request ({@link CloudEventJson}); other event formats ({@code
 *       application/cloudevents+protobuf}, ...) are refused;
 *   <li><b>binary mode</b>: otherwise, when a {@code ce_specversion} header is present. The
 *       CloudEvents SDK ({@code cloudevents-kafka}) reads the {@code ce_*} headers (UTF-8, no
 *       percent-encoding in this binding) as context attributes and extensions, the {@code
 *       content-type} header as {@code datacontenttype} and the value as data, read as the REST API
 *       reads a binary-mode body ({@link BinaryModeData}): JSON for a JSON media type, text for
 *       {@code text/*} (in its {@code charset}, UTF-8 by default; an unknown charset is {@code
 *       INVALID_ATTRIBUTE}), bytes otherwise. Attribute texts are kept as sent ({@code time} keeps
 *       its offset and fraction).
 * </ul>
 *
 * <p>The record key is not part of the event (the binding maps it to the optional {@code
 * partitionkey} extension only when the producer asks for it, as an ordinary {@code
 * ce_partitionkey} header).
 */
final class KafkaCloudEvents {
  static final String CONTENT_TYPE = "content-type";
  static final String STRUCTURED_PREFIX = "application/cloudevents";

  private KafkaCloudEvents() {}

  /**
   * The event of a record.
   *
   * @throws EvidentSourceException {@code UNSUPPORTED_MEDIA_TYPE} when the record is neither mode
   *     or uses another event format; {@code MALFORMED_JSON}, {@code MALFORMED_REQUEST}, {@code
   *     MISSING_ATTRIBUTE}, {@code UNSUPPORTED_SPECVERSION} or {@code INVALID_ATTRIBUTE} naming the
   *     attribute, as the REST API answers the same event
   */
  static Event read(Headers headers, byte @Nullable [] value) {
    String contentType = lastHeader(headers, CONTENT_TYPE);
    if (contentType != null && mediaType(contentType).startsWith(STRUCTURED_PREFIX)) {
      return structured(contentType, value);
    }
    if (headers.lastHeader("ce_specversion") == null) {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "the record is no CloudEvent: binary mode needs a ce_specversion header, structured mode"
              + " the content-type "
              + CloudEventJson.MEDIA_TYPE
              + " (CloudEvents Kafka binding §3), content-type was "
              + (contentType == null ? "absent" : "'" + contentType + "'"),
          Map.of("header", CONTENT_TYPE));
    }
    try {
      MessageReader reader = KafkaMessageFactory.createReader(headers, value);
      return reader.read(EventWriter::new);
    } catch (CloudEventRWException e) {
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_REQUEST,
          "the record's ce_ headers are no binary-mode CloudEvent: " + e.getMessage());
    }
  }

  private static Event structured(String contentType, byte @Nullable [] value) {
    if (!mediaType(contentType).equals(CloudEventJson.MEDIA_TYPE)) {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "structured-mode records must use the JSON event format ("
              + CloudEventJson.MEDIA_TYPE
              + "), was '"
              + contentType
              + "'",
          Map.of("header", CONTENT_TYPE));
    }
    if (value == null || value.length == 0) {
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_JSON, "a structured-mode record needs the event as its value");
    }
    return CloudEventJson.readEvent(value);
  }

  /** The media type of a content type: lower case, without parameters. */
  static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.trim().toLowerCase(Locale.ROOT);
  }

  static @Nullable String lastHeader(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Collects the attributes the SDK reads from the headers into a core event. */
  private static final class EventWriter implements CloudEventWriter<Event> {
    private final Map<String, String> attributes = new LinkedHashMap<>();

    EventWriter(SpecVersion version) {
      if (version != SpecVersion.V1) {
        throw new EvidentSourceException(
            ErrorCode.UNSUPPORTED_SPECVERSION,
            "specversion '" + version + "' is not supported; send ce_specversion: 1.0",
            Map.of("attribute", "specversion", "specversion", version.toString()));
      }
    }

    @Override
    public EventWriter withContextAttribute(String name, String value) {
      if (attributes.put(name, value) != null) {
        throw invalid(name, "header 'ce_" + name + "' must appear exactly once");
      }
      return this;
    }

    @Override
    public Event end(CloudEventData data) {
      return build(data.toBytes());
    }

    @Override
    public Event end() {
      return build(null);
    }

    private Event build(byte @Nullable [] body) {
      var b = Event.builder();
      b.id(required("id"));
      b.source(required("source"));
      b.type(required("type"));
      b.subject(attributes.remove("subject"));
      String time = attributes.remove("time");
      if (time != null) {
        b.time(EventTime.parse(time));
      }
      b.dataSchema(attributes.remove("dataschema"));
      String contentType = attributes.remove("datacontenttype");
      if (contentType != null && contentType.isBlank()) {
        contentType = null;
      }
      attributes.forEach(b::extension);
      b.dataContentType(contentType);
      b.data(body == null ? null : BinaryModeData.decode(contentType, body));
      return b.build();
    }

    private String required(String attribute) {
      String value = attributes.remove(attribute);
      if (value == null) {
        throw new EvidentSourceException(
            ErrorCode.MISSING_ATTRIBUTE,
            "required attribute '" + attribute + "' is missing (header ce_" + attribute + ")",
            Map.of("attribute", attribute, "header", "ce_" + attribute));
      }
      return value;
    }
  }

  private static EvidentSourceException invalid(String attribute, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_ATTRIBUTE, detail, Map.of("attribute", attribute));
  }
}
