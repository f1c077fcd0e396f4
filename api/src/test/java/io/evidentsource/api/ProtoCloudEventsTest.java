package io.evidentsource.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.cloudevents.v1.proto.CloudEvent;
import io.cloudevents.v1.proto.CloudEvent.CloudEventAttributeValue;
import io.evidentsource.api.CloudEventFormatException.Reason;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProtoCloudEventsTest {

  static PlainCloudEvent event(@Nullable String time, PlainCloudEvent.@Nullable Data data) {
    var extensions = new LinkedHashMap<String, Object>();
    extensions.put("tags", "a,b");
    extensions.put("priority", 3);
    extensions.put("urgent", true);
    return new PlainCloudEvent(
        "e1",
        "https://example.com/orders",
        "com.example.OrderPlaced",
        "order-1",
        time,
        "application/json",
        "https://example.com/schema",
        extensions,
        data);
  }

  static CloudEvent.Builder minimal() {
    return CloudEvent.newBuilder().setId("e1").setSource("s").setType("t").setSpecVersion("1.0");
  }

  static CloudEventAttributeValue string(String value) {
    return CloudEventAttributeValue.newBuilder().setCeString(value).build();
  }

  static Reason failure(CloudEvent ce, String attribute) {
    var e =
        catchThrowableOfType(CloudEventFormatException.class, () -> ProtoCloudEvents.decode(ce));
    assertThat(e).as("decoding %s", ce).isNotNull();
    assertThat(e.attribute()).isEqualTo(attribute);
    assertThat(e.getMessage()).isNotBlank();
    return e.reason();
  }

  @Nested
  class round_trips {
    @Test
    void every_attribute_and_text_data_with_the_exact_time_text() {
      var sent = event("2024-05-01T12:00:00.50+02:00", new PlainCloudEvent.Data.Text("{\"x\":1}"));
      var proto = ProtoCloudEvents.encode(sent);
      assertThat(proto.getAttributesOrThrow("time").getCeTimestamp())
          .isEqualTo(ProtoCloudEvents.timestamp(Instant.parse("2024-05-01T10:00:00.5Z")));
      assertThat(proto.getAttributesOrThrow(ProtoCloudEvents.TIME_TEXT).getCeString())
          .isEqualTo("2024-05-01T12:00:00.50+02:00");
      assertThat(proto.getTextData()).isEqualTo("{\"x\":1}");

      var back = ProtoCloudEvents.decode(proto);
      assertThat(back).usingRecursiveComparison().isEqualTo(sent);
      assertThat(back.extensions()).containsExactlyEntriesOf(sent.extensions());
    }

    @Test
    void a_utc_time_travels_as_the_timestamp_alone() {
      var sent = event("2024-05-01T10:00:00.123456789Z", null);
      var proto = ProtoCloudEvents.encode(sent);
      assertThat(proto.getAttributesMap()).doesNotContainKey(ProtoCloudEvents.TIME_TEXT);
      assertThat(ProtoCloudEvents.decode(proto).time()).isEqualTo("2024-05-01T10:00:00.123456789Z");
    }

    @Test
    void binary_data_byte_for_byte() {
      var sent = event(null, new PlainCloudEvent.Data.Binary(new byte[] {0, 1, (byte) 0xff}));
      var proto = ProtoCloudEvents.encode(sent);
      assertThat(proto.getBinaryData().toByteArray()).containsExactly(0, 1, 0xff);
      var back = ProtoCloudEvents.decode(proto);
      assertThat(back.data())
          .isInstanceOfSatisfying(
              PlainCloudEvent.Data.Binary.class,
              b -> assertThat(b.bytes()).containsExactly(0, 1, 0xff));
      assertThat(back.time()).isNull();
    }
  }

  @Nested
  class reading {
    @Test
    void an_empty_spec_version_is_1_0_and_another_is_refused() {
      assertThat(ProtoCloudEvents.decode(minimal().setSpecVersion("").build()).id())
          .isEqualTo("e1");
      assertThat(failure(minimal().setSpecVersion("0.3").build(), "specversion"))
          .isEqualTo(Reason.UNSUPPORTED_SPECVERSION);
    }

    @Test
    void empty_required_fields_are_missing() {
      assertThat(failure(minimal().setId("").build(), "id")).isEqualTo(Reason.MISSING_ATTRIBUTE);
      assertThat(failure(minimal().setSource("").build(), "source"))
          .isEqualTo(Reason.MISSING_ATTRIBUTE);
      assertThat(failure(minimal().setType("").build(), "type"))
          .isEqualTo(Reason.MISSING_ATTRIBUTE);
    }

    @Test
    void a_time_text_must_denote_the_instant_of_the_timestamp() {
      var time =
          CloudEventAttributeValue.newBuilder()
              .setCeTimestamp(ProtoCloudEvents.timestamp(Instant.parse("2021-08-19T16:16:32Z")))
              .build();
      var ce =
          minimal()
              .putAttributes("time", time)
              .putAttributes(ProtoCloudEvents.TIME_TEXT, string("2021-08-19T16:16:33Z"))
              .build();
      assertThat(failure(ce, ProtoCloudEvents.TIME_TEXT)).isEqualTo(Reason.INVALID_ATTRIBUTE);
      var garbled =
          minimal()
              .putAttributes("time", time)
              .putAttributes(ProtoCloudEvents.TIME_TEXT, string("yesterday"))
              .build();
      assertThat(failure(garbled, ProtoCloudEvents.TIME_TEXT)).isEqualTo(Reason.INVALID_ATTRIBUTE);
    }

    @Test
    void a_string_time_must_be_rfc_3339_and_is_kept_as_sent() {
      var ce = minimal().putAttributes("time", string("2021-08-19t12:16:32.1-04:00")).build();
      assertThat(ProtoCloudEvents.decode(ce).time()).isEqualTo("2021-08-19t12:16:32.1-04:00");
      var bad = minimal().putAttributes("time", string("2021-08-19 12:16:32")).build();
      assertThat(failure(bad, "time")).isEqualTo(Reason.INVALID_ATTRIBUTE);
      var wrongType =
          minimal()
              .putAttributes("time", CloudEventAttributeValue.newBuilder().setCeInteger(1).build())
              .build();
      assertThat(failure(wrongType, "time")).isEqualTo(Reason.INVALID_ATTRIBUTE);
    }

    @Test
    void a_time_text_without_a_time_is_an_ordinary_extension() {
      var ce = minimal().putAttributes(ProtoCloudEvents.TIME_TEXT, string("whatever")).build();
      var event = ProtoCloudEvents.decode(ce);
      assertThat(event.time()).isNull();
      assertThat(event.extensions()).containsEntry(ProtoCloudEvents.TIME_TEXT, "whatever");
    }

    @Test
    void standard_attributes_must_be_strings_and_message_fields_are_not_attributes() {
      var subject =
          minimal()
              .putAttributes(
                  "subject", CloudEventAttributeValue.newBuilder().setCeBoolean(true).build())
              .build();
      assertThat(failure(subject, "subject")).isEqualTo(Reason.INVALID_ATTRIBUTE);
      assertThat(failure(minimal().putAttributes("id", string("x")).build(), "id"))
          .isEqualTo(Reason.INVALID_ATTRIBUTE);
    }

    @Test
    void extension_values_of_other_types_become_text() {
      var ce =
          minimal()
              .putAttributes(
                  "link", CloudEventAttributeValue.newBuilder().setCeUri("urn:x:1").build())
              .putAttributes(
                  "blob",
                  CloudEventAttributeValue.newBuilder()
                      .setCeBytes(ByteString.copyFrom(new byte[] {1, 2, 3}))
                      .build())
              .putAttributes(
                  "due",
                  CloudEventAttributeValue.newBuilder()
                      .setCeTimestamp(
                          ProtoCloudEvents.timestamp(Instant.parse("2024-01-01T00:00:00Z")))
                      .build())
              .build();
      assertThat(ProtoCloudEvents.decode(ce).extensions())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("link", "urn:x:1", "blob", "AQID", "due", "2024-01-01T00:00:00Z"));
      var empty =
          minimal().putAttributes("x", CloudEventAttributeValue.getDefaultInstance()).build();
      assertThat(failure(empty, "x")).isEqualTo(Reason.INVALID_ATTRIBUTE);
    }

    @Test
    void proto_data_is_refused_and_text_data_is_text() {
      var proto = minimal().setProtoData(com.google.protobuf.Any.getDefaultInstance()).build();
      assertThat(failure(proto, "proto_data")).isEqualTo(Reason.INVALID_ATTRIBUTE);
      var text = ProtoCloudEvents.decode(minimal().setTextData("héllo").build()).data();
      assertThat(text).isEqualTo(new PlainCloudEvent.Data.Text("héllo"));
      assertThat(ProtoCloudEvents.decode(minimal().build()).data()).isNull();
    }
  }

  @Test
  void timestamps_keep_nanoseconds() {
    var instant = Instant.parse("1969-12-31T23:59:59.999999999Z");
    assertThat(ProtoCloudEvents.instant(ProtoCloudEvents.timestamp(instant))).isEqualTo(instant);
  }
}
