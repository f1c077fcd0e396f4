package io.evidentsource.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cloudevents.v1.proto.CloudEvent;
import io.cloudevents.v1.proto.CloudEvent.CloudEventAttributeValue;
import io.evidentsource.api.CloudEventFormatException.Reason;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The CloudEvents protobuf format ({@code io.cloudevents.v1.CloudEvent}) as evidentsource.v1 uses
 * it, in one place for the server and the JVM client (ADR 0004):
 *
 * <ul>
 *   <li>{@code id}, {@code source}, {@code type} and {@code spec_version} are message fields;
 *       {@code subject}, {@code time}, {@code datacontenttype}, {@code dataschema} and extensions
 *       are in the attribute map.
 *   <li>{@code time} is a {@code ce_timestamp}; when its RFC 3339 text has an offset or a fraction
 *       that the UTC timestamp does not reproduce, the exact text travels beside it as the string
 *       attribute {@value #TIME_TEXT}. A {@code ce_string} time (RFC 3339) is read too.
 *   <li>Extensions are {@code ce_boolean}, {@code ce_integer} or {@code ce_string}; read, {@code
 *       ce_uri} and {@code ce_uri_ref} become strings, {@code ce_bytes} base64 and {@code
 *       ce_timestamp} RFC 3339 UTC text.
 *   <li>Text data (JSON, {@code text/*}) is {@code text_data}, other data {@code binary_data};
 *       {@code proto_data} is refused.
 * </ul>
 */
public final class ProtoCloudEvents {
  /** The only CloudEvents spec version there is. */
  public static final String SPEC_VERSION = "1.0";

  /** Attribute carrying the exact RFC 3339 text of {@code time} next to its timestamp. */
  public static final String TIME_TEXT = "timetext";

  private ProtoCloudEvents() {}

  /** A protobuf timestamp of an instant, to the nanosecond. */
  public static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  /** The instant of a protobuf timestamp. */
  public static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /**
   * The instant an RFC 3339 {@code date-time} denotes (a lower-case {@code t} or {@code z}
   * allowed).
   *
   * @throws CloudEventFormatException {@code INVALID_ATTRIBUTE} naming {@code attribute}
   */
  public static Instant parseTime(String text, String attribute) {
    try {
      return OffsetDateTime.parse(
              text.replace('t', 'T').replace('z', 'Z'), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant();
    } catch (DateTimeParseException e) {
      throw new CloudEventFormatException(
          Reason.INVALID_ATTRIBUTE,
          attribute,
          "attribute '"
              + attribute
              + "' must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, was '"
              + text
              + "'");
    }
  }

  /**
   * Writes an event in the protobuf format.
   *
   * @throws CloudEventFormatException when {@code time} is not RFC 3339
   */
  public static CloudEvent encode(PlainCloudEvent event) {
    var b =
        CloudEvent.newBuilder()
            .setId(event.id())
            .setSource(event.source())
            .setSpecVersion(SPEC_VERSION)
            .setType(event.type());
    if (event.subject() != null) {
      b.putAttributes("subject", string(event.subject()));
    }
    String time = event.time();
    if (time != null) {
      Instant instant = parseTime(time, "time");
      b.putAttributes(
          "time", CloudEventAttributeValue.newBuilder().setCeTimestamp(timestamp(instant)).build());
      if (!time.equals(DateTimeFormatter.ISO_INSTANT.format(instant))) {
        b.putAttributes(TIME_TEXT, string(time));
      }
    }
    if (event.dataContentType() != null) {
      b.putAttributes("datacontenttype", string(event.dataContentType()));
    }
    if (event.dataSchema() != null) {
      b.putAttributes(
          "dataschema", CloudEventAttributeValue.newBuilder().setCeUri(event.dataSchema()).build());
    }
    event.extensions().forEach((name, value) -> b.putAttributes(name, extension(value)));
    PlainCloudEvent.Data data = event.data();
    if (data != null) {
      data.match(
          text -> b.setTextData(text.text()),
          binary -> b.setBinaryData(ByteString.copyFrom(binary.bytes())));
    }
    return b.build();
  }

  /**
   * Reads an event from the protobuf format. An empty {@code spec_version} is read as 1.0 (proto3
   * cannot tell it from an absent one); so are empty required fields, which are missing.
   *
   * @throws CloudEventFormatException naming the attribute: {@code UNSUPPORTED_SPECVERSION}, {@code
   *     MISSING_ATTRIBUTE} (empty {@code id}, {@code source} or {@code type}), {@code
   *     INVALID_ATTRIBUTE} (a standard attribute of the wrong type, {@code time} not RFC 3339, a
   *     {@value #TIME_TEXT} that denotes another instant than {@code time}, an attribute named like
   *     a message field, an attribute without a value, {@code proto_data})
   */
  public static PlainCloudEvent decode(CloudEvent ce) {
    if (!ce.getSpecVersion().isEmpty() && !SPEC_VERSION.equals(ce.getSpecVersion())) {
      throw new CloudEventFormatException(
          Reason.UNSUPPORTED_SPECVERSION,
          "specversion",
          "spec_version must be '1.0', was '" + ce.getSpecVersion() + "'");
    }
    required(ce.getId(), "id");
    required(ce.getSource(), "source");
    required(ce.getType(), "type");
    String subject = null;
    String time = null;
    String dataContentType = null;
    String dataSchema = null;
    var extensions = new LinkedHashMap<String, Object>();
    Map<String, CloudEventAttributeValue> attributes = ce.getAttributesMap();
    for (var entry : attributes.entrySet()) {
      String name = entry.getKey();
      CloudEventAttributeValue value = entry.getValue();
      switch (name) {
        case "subject" -> subject = text(value, name);
        case "datacontenttype" -> dataContentType = text(value, name);
        case "dataschema" -> dataSchema = text(value, name);
        case "time" -> time = time(value, attributes.get(TIME_TEXT));
        case "specversion", "id", "source", "type" ->
            throw new CloudEventFormatException(
                Reason.INVALID_ATTRIBUTE,
                name,
                "attribute '" + name + "' is a field of the CloudEvent message, not an attribute");
        default -> {
          if (!(name.equals(TIME_TEXT) && attributes.containsKey("time"))) {
            extensions.put(name, extensionValue(value, name));
          }
        }
      }
    }
    return new PlainCloudEvent(
        ce.getId(),
        ce.getSource(),
        ce.getType(),
        subject,
        time,
        dataContentType,
        dataSchema,
        extensions,
        data(ce));
  }

  private static void required(String value, String attribute) {
    if (value.isEmpty()) {
      throw new CloudEventFormatException(
          Reason.MISSING_ATTRIBUTE,
          attribute,
          "required attribute '" + attribute + "' is missing or empty");
    }
  }

  /** The exact text of {@code time}: its {@value #TIME_TEXT} when one is sent, else UTC. */
  private static String time(
      CloudEventAttributeValue value, @Nullable CloudEventAttributeValue timeText) {
    if (value.hasCeTimestamp()) {
      Instant instant = instant(value.getCeTimestamp());
      if (timeText != null && timeText.hasCeString()) {
        String exact = timeText.getCeString();
        if (!parseTime(exact, TIME_TEXT).equals(instant)) {
          throw new CloudEventFormatException(
              Reason.INVALID_ATTRIBUTE,
              TIME_TEXT,
              "attribute '"
                  + TIME_TEXT
                  + "' ("
                  + exact
                  + ") does not denote the same instant as 'time' ("
                  + instant
                  + ")");
        }
        return exact;
      }
      return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
    if (value.hasCeString()) {
      parseTime(value.getCeString(), "time");
      return value.getCeString();
    }
    throw new CloudEventFormatException(
        Reason.INVALID_ATTRIBUTE,
        "time",
        "attribute 'time' must be a ce_timestamp (or an RFC 3339 ce_string)");
  }

  private static String text(CloudEventAttributeValue value, String name) {
    return switch (value.getAttrCase()) {
      case CE_STRING -> value.getCeString();
      case CE_URI -> value.getCeUri();
      case CE_URI_REF -> value.getCeUriRef();
      case CE_BOOLEAN, CE_INTEGER, CE_BYTES, CE_TIMESTAMP, ATTR_NOT_SET ->
          throw new CloudEventFormatException(
              Reason.INVALID_ATTRIBUTE,
              name,
              "attribute '" + name + "' must be a string, was " + value.getAttrCase());
    };
  }

  private static Object extensionValue(CloudEventAttributeValue value, String name) {
    return switch (value.getAttrCase()) {
      case CE_BOOLEAN -> value.getCeBoolean();
      case CE_INTEGER -> value.getCeInteger();
      case CE_STRING -> value.getCeString();
      case CE_URI -> value.getCeUri();
      case CE_URI_REF -> value.getCeUriRef();
      case CE_BYTES -> Base64.getEncoder().encodeToString(value.getCeBytes().toByteArray());
      case CE_TIMESTAMP -> DateTimeFormatter.ISO_INSTANT.format(instant(value.getCeTimestamp()));
      case ATTR_NOT_SET ->
          throw new CloudEventFormatException(
              Reason.INVALID_ATTRIBUTE, name, "attribute '" + name + "' has no value");
    };
  }

  private static CloudEventAttributeValue extension(Object value) {
    var v = CloudEventAttributeValue.newBuilder();
    if (value instanceof Boolean b) {
      v.setCeBoolean(b);
    } else if (value instanceof Integer i) {
      v.setCeInteger(i);
    } else {
      v.setCeString(value.toString());
    }
    return v.build();
  }

  private static PlainCloudEvent.@Nullable Data data(CloudEvent ce) {
    return switch (ce.getDataCase()) {
      case BINARY_DATA -> new PlainCloudEvent.Data.Binary(ce.getBinaryData().toByteArray());
      case TEXT_DATA -> new PlainCloudEvent.Data.Text(ce.getTextData());
      case PROTO_DATA ->
          throw new CloudEventFormatException(
              Reason.INVALID_ATTRIBUTE,
              "proto_data",
              "proto_data is not stored; send the serialized message as binary_data with"
                  + " datacontenttype application/protobuf");
      case DATA_NOT_SET -> null;
    };
  }

  private static CloudEventAttributeValue string(String value) {
    return CloudEventAttributeValue.newBuilder().setCeString(value).build();
  }
}
