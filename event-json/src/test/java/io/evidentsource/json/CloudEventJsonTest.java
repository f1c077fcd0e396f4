package io.evidentsource.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.EventValidator;
import io.evidentsource.core.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CloudEventJsonTest {

  static final String MINIMAL =
      "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"https://example.com/orders\","
          + "\"type\":\"OrderPlaced\"}";

  static String with(String members) {
    return MINIMAL.substring(0, MINIMAL.length() - 1) + "," + members + "}";
  }

  static EvidentSourceException failure(ThrowingCallable call) {
    var thrown = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(thrown).isInstanceOf(EvidentSourceException.class);
    return (EvidentSourceException) thrown;
  }

  @Nested
  class reading_attributes {
    @Test
    void reads_required_and_optional_context_attributes() {
      Event e =
          CloudEventJson.readEvent(
              with(
                  "\"subject\":\"order-1\",\"time\":\"2021-08-19T12:16:32.000-04:00\","
                      + "\"dataschema\":\"https://example.com/schema\""));
      assertThat(e.id()).isEqualTo("e1");
      assertThat(e.source()).isEqualTo("https://example.com/orders");
      assertThat(e.type()).isEqualTo("OrderPlaced");
      assertThat(e.subject()).isEqualTo("order-1");
      assertThat(e.dataSchema()).isEqualTo("https://example.com/schema");
      assertThat(e.time()).isNotNull();
      assertThat(e.time().text()).isEqualTo("2021-08-19T12:16:32.000-04:00");
      assertThat(e.time().instant()).isEqualTo(Instant.parse("2021-08-19T16:16:32Z"));
      assertThat(e.data()).isNull();
      assertThat(e.extensions()).isEmpty();
    }

    @Test
    void null_optional_attributes_count_as_absent() {
      Event e = CloudEventJson.readEvent(with("\"subject\":null,\"time\":null,\"data\":null"));
      assertThat(e.subject()).isNull();
      assertThat(e.time()).isNull();
      assertThat(e.data()).isNull();
    }

    @Test
    void rejects_missing_required_attributes_naming_them() {
      for (String attribute : List.of("id", "source", "type")) {
        String json = MINIMAL.replace("\"" + attribute + "\":", "\"x" + attribute + "\":");
        var e = failure(() -> CloudEventJson.readEvent(json));
        assertThat(e.code()).isEqualTo(ErrorCode.MISSING_ATTRIBUTE);
        assertThat(e.fields()).containsEntry("attribute", attribute);
        assertThat(e.getMessage()).contains("'" + attribute + "'");
      }
      var e =
          failure(() -> CloudEventJson.readEvent("{\"id\":\"1\",\"source\":\"s\",\"type\":\"t\"}"));
      assertThat(e.code()).isEqualTo(ErrorCode.MISSING_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "specversion");
    }

    @Test
    void rejects_other_spec_versions() {
      var e = failure(() -> CloudEventJson.readEvent(MINIMAL.replace("\"1.0\"", "\"0.3\"")));
      assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_SPECVERSION);
      assertThat(e.fields()).containsEntry("specversion", "0.3");
      var n = failure(() -> CloudEventJson.readEvent(MINIMAL.replace("\"1.0\"", "1.0")));
      assertThat(n.code()).isEqualTo(ErrorCode.UNSUPPORTED_SPECVERSION);
    }

    @Test
    void rejects_non_string_context_attributes() {
      var e = failure(() -> CloudEventJson.readEvent(with("\"subject\":42")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "subject");
      var id = failure(() -> CloudEventJson.readEvent(MINIMAL.replace("\"e1\"", "1")));
      assertThat(id.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(id.fields()).containsEntry("attribute", "id");
    }

    @Test
    void rejects_a_time_that_is_not_rfc_3339() {
      var e = failure(() -> CloudEventJson.readEvent(with("\"time\":\"yesterday\"")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "time");
    }

    @Test
    void rejects_an_event_that_is_not_an_object() {
      var e = failure(() -> CloudEventJson.readEvent("[1,2]"));
      assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
    }
  }

  @Nested
  class reading_extensions {
    @Test
    void reads_string_boolean_and_integer_extensions_in_order() {
      Event e =
          CloudEventJson.readEvent(
              with("\"tags\":\"course:c1,student:s7\",\"traced\":true,\"priority\":-7"));
      assertThat(e.extensions())
          .containsExactly(
              Map.entry("tags", "course:c1,student:s7"),
              Map.entry("traced", true),
              Map.entry("priority", -7));
      assertThat(e.tags()).containsExactly("course:c1", "student:s7");
    }

    @Test
    void rejects_extension_values_outside_the_cloudevents_type_system() {
      for (String value : List.of("1.5", "2147483648", "{\"a\":1}", "[1]")) {
        var e = failure(() -> CloudEventJson.readEvent(with("\"ext\":" + value)));
        assertThat(e.code()).as(value).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
        assertThat(e.fields()).containsEntry("attribute", "ext");
      }
    }

    @Test
    void passes_client_sent_revision_and_recordedtime_through_so_the_validator_rejects_them() {
      var validator = new EventValidator(EventLimits.defaults());
      for (String member :
          List.of(
              "\"revision\":5",
              "\"revision\":50000000000",
              "\"revision\":\"5\"",
              "\"recordedtime\":\"2024-01-01T00:00:00Z\"",
              "\"recordedtime\":1.5")) {
        Event e = CloudEventJson.readEvent(with(member));
        var thrown = failure(() -> validator.validate(e));
        assertThat(thrown.code()).as(member).isEqualTo(ErrorCode.RESERVED_ATTRIBUTE);
      }
    }

    @Test
    void passes_badly_named_extensions_through_so_the_validator_rejects_them() {
      Event e = CloudEventJson.readEvent(with("\"Bad_Name\":\"x\""));
      var thrown = failure(() -> new EventValidator(EventLimits.defaults()).validate(e));
      assertThat(thrown.code()).isEqualTo(ErrorCode.INVALID_EXTENSION_NAME);
    }
  }

  @Nested
  class reading_data {
    @Test
    void json_data_without_a_content_type_is_kept_as_compact_json() {
      Event e =
          CloudEventJson.readEvent(with("\"data\": { \"a\" : [1, 2.50, \"x\"], \"b\":null }"));
      assertThat(e.data()).isEqualTo(EventData.Json.of("{\"a\":[1,2.50,\"x\"],\"b\":null}"));
    }

    @Test
    void json_data_with_json_like_content_types_is_json() {
      for (String type :
          List.of(
              "application/json",
              "application/json; charset=utf-8",
              "text/json",
              "application/vnd.order+json",
              "Application/JSON")) {
        Event e =
            CloudEventJson.readEvent(
                with("\"datacontenttype\":\"" + type + "\",\"data\":\"quoted\""));
        assertThat(e.data()).as(type).isEqualTo(EventData.Json.of("\"quoted\""));
      }
    }

    @Test
    void keeps_numbers_exactly() {
      Event e =
          CloudEventJson.readEvent(
              with("\"data\":[12345678901234567890123, 0.1, 1.10, -0, 1e400]"));
      assertThat(((EventData.Json) e.data()).text())
          .startsWith("[12345678901234567890123,0.1,1.10,")
          .doesNotContain("Infinity");
    }

    @Test
    void a_string_with_a_non_json_content_type_is_text() {
      Event e =
          CloudEventJson.readEvent(
              with("\"datacontenttype\":\"text/plain\",\"data\":\"caf\\u00e9 \\\"1\\\"\""));
      assertThat(e.data()).isEqualTo(new EventData.Text("café \"1\""));
    }

    @Test
    void non_string_data_with_a_non_json_content_type_is_rejected() {
      var e =
          failure(
              () ->
                  CloudEventJson.readEvent(
                      with("\"datacontenttype\":\"text/plain\",\"data\":{\"a\":1}")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "data");
    }

    @Test
    void data_base64_is_binary() {
      Event e =
          CloudEventJson.readEvent(
              with(
                  "\"datacontenttype\":\"application/octet-stream\",\"data_base64\":\"AAEC/w==\""));
      assertThat(e.data()).isEqualTo(new EventData.Binary(new byte[] {0, 1, 2, (byte) 255}));
    }

    @Test
    void rejects_data_and_data_base64_together() {
      var e = failure(() -> CloudEventJson.readEvent(with("\"data\":1,\"data_base64\":\"AA==\"")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "data");
    }

    @Test
    void rejects_invalid_base64() {
      var e = failure(() -> CloudEventJson.readEvent(with("\"data_base64\":\"not base64!\"")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "data_base64");
    }
  }

  @Nested
  class malformed_json {
    @Test
    void names_line_and_column() {
      var e = failure(() -> CloudEventJson.readEvent("{\n  \"id\": \"1\",\n  \"source\" \"s\"\n}"));
      assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON);
      assertThat(e.fields()).containsEntry("line", 3);
      assertThat(e.fields()).containsKey("column");
      assertThat(e.getMessage()).contains("line 3");
    }

    @Test
    void keeps_parser_internals_out_of_the_message() {
      var e = failure(() -> CloudEventJson.readEvent("{\"id\":\"1\""));
      assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON);
      assertThat(e.getMessage())
          .contains("end-of-input")
          .doesNotContain("Source:")
          .doesNotContain("REDACTED");
    }

    @Test
    void rejects_duplicate_members() {
      var e = failure(() -> CloudEventJson.readEvent(with("\"id\":\"again\"")));
      assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON);
      assertThat(e.getMessage()).contains("id");
    }

    @Test
    void rejects_trailing_content_and_empty_input() {
      assertThat(failure(() -> CloudEventJson.readEvent(MINIMAL + " {}")).code())
          .isEqualTo(ErrorCode.MALFORMED_JSON);
      assertThat(failure(() -> CloudEventJson.readEvent("  ")).code())
          .isEqualTo(ErrorCode.MALFORMED_JSON);
    }
  }

  @Nested
  class reading_batches {
    @Test
    void reads_an_array_of_events() {
      List<Event> events =
          CloudEventJson.readBatch(
              ("[" + MINIMAL + "," + MINIMAL.replace("e1", "e2") + "]")
                  .getBytes(StandardCharsets.UTF_8));
      assertThat(events).extracting(Event::id).containsExactly("e1", "e2");
    }

    @Test
    void names_the_index_of_a_bad_event() {
      var e =
          failure(
              () ->
                  CloudEventJson.readBatch(
                      ("[" + MINIMAL + ",{\"specversion\":\"1.0\"}]")
                          .getBytes(StandardCharsets.UTF_8)));
      assertThat(e.code()).isEqualTo(ErrorCode.MISSING_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("index", 1);
    }

    @Test
    void rejects_a_batch_that_is_not_an_array() {
      var e = failure(() -> CloudEventJson.readBatch(MINIMAL.getBytes(StandardCharsets.UTF_8)));
      assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
    }
  }

  @Nested
  class writing {
    final Event full =
        Event.builder()
            .id("e1")
            .source("https://example.com/orders")
            .type("OrderPlaced")
            .subject("order-1")
            .time("2021-08-19T12:16:32.000-04:00")
            .dataSchema("https://example.com/schema")
            .extension("tags", "a,b")
            .extension("traced", true)
            .extension("priority", 3)
            .jsonData("{\"total\":12.50}")
            .build();

    @Test
    void writes_attributes_at_top_level_and_json_data_verbatim() {
      assertThat(CloudEventJson.toJson(full))
          .isEqualTo(
              "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"https://example.com/orders\","
                  + "\"type\":\"OrderPlaced\",\"subject\":\"order-1\","
                  + "\"time\":\"2021-08-19T12:16:32.000-04:00\","
                  + "\"datacontenttype\":\"application/json\","
                  + "\"dataschema\":\"https://example.com/schema\",\"tags\":\"a,b\","
                  + "\"traced\":true,\"priority\":3,\"data\":{\"total\":12.50}}");
    }

    @Test
    void round_trips_every_kind_of_data() {
      for (EventData data :
          List.of(
              EventData.Json.of("[1,{\"a\":\"b\"}]"),
              new EventData.Text("line 1\nline 2 ✓"),
              new EventData.Binary(new byte[] {0, -1, 42}))) {
        Event e =
            full.toBuilder()
                .dataContentType(
                    data instanceof EventData.Json
                        ? "application/json"
                        : data instanceof EventData.Text
                            ? "text/plain"
                            : "application/octet-stream")
                .data(data)
                .build();
        assertThat(CloudEventJson.readEvent(CloudEventJson.toJson(e))).isEqualTo(e);
      }
    }

    @Test
    void writes_binary_data_as_data_base64_even_without_a_content_type() {
      Event e =
          full.toBuilder()
              .dataContentType(null)
              .data(new EventData.Binary(new byte[] {1, 2, 3}))
              .build();
      JsonNode node = JsonSupport.parse(CloudEventJson.toJsonBytes(e));
      assertThat(node.has("data")).isFalse();
      assertThat(node.get("data_base64").stringValue()).isEqualTo("AQID");
    }

    @Test
    void a_stored_event_carries_revision_as_a_number_and_recordedtime_at_full_precision() {
      Instant recorded = Instant.parse("2024-05-01T12:00:00.123456789Z");
      var stored = new StoredEvent(9_000_000_000L, recorded, full);
      JsonNode node = JsonSupport.parse(CloudEventJson.toJsonBytes(stored));
      assertThat(node.get("revision").isIntegralNumber()).isTrue();
      assertThat(node.get("revision").longValue()).isEqualTo(9_000_000_000L);
      assertThat(node.get("recordedtime").stringValue())
          .isEqualTo("2024-05-01T12:00:00.123456789Z");
      assertThat(node.get("time").stringValue()).isEqualTo("2021-08-19T12:16:32.000-04:00");
      assertThat(CloudEventJson.readStoredEvent(CloudEventJson.toJsonBytes(stored)))
          .isEqualTo(stored);
    }

    @Test
    void a_stored_event_without_server_extensions_is_rejected() {
      var e =
          failure(() -> CloudEventJson.readStoredEvent(MINIMAL.getBytes(StandardCharsets.UTF_8)));
      assertThat(e.code()).isEqualTo(ErrorCode.MISSING_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "revision");
    }

    @Test
    void json_data_goes_out_as_its_utf8_bytes_and_malformed_bytes_as_their_decoded_text() {
      byte[] wellFormed = "{\"name\":\"Zoë ✓ 😀\"}".getBytes(StandardCharsets.UTF_8);
      byte[] malformed = {'"', 'a', (byte) 0xC0, (byte) 0xAF, '"'}; // an overlong '/'
      for (byte[] utf8 : List.of(wellFormed, malformed)) {
        Event e = full.toBuilder().data(new EventData.Json(utf8)).build();
        String decoded = new String(utf8, StandardCharsets.UTF_8);
        assertThat(CloudEventJson.toJson(e)).endsWith(",\"data\":" + decoded + "}");
      }
    }

    @Test
    void json_data_marked_well_formed_is_copied_without_the_check_and_unmarked_data_is_checked() {
      byte[] malformed = {'"', 'a', (byte) 0xC0, (byte) 0xAF, '"'}; // an overlong '/'
      // marked (wrongly, to see it): copied as it is, so no scan ran
      Event marked = full.toBuilder().data(new EventData.Json(malformed, true)).build();
      byte[] out = CloudEventJson.toJsonBytes(marked);
      assertThat(
              java.util.Arrays.copyOfRange(out, out.length - 1 - malformed.length, out.length - 1))
          .isEqualTo(malformed);
      // unmarked: checked, and written as its decoded text
      Event unmarked = full.toBuilder().data(new EventData.Json(malformed)).build();
      assertThat(CloudEventJson.toJson(unmarked))
          .endsWith(",\"data\":" + new String(malformed, StandardCharsets.UTF_8) + "}");
    }

    @Test
    void json_data_read_from_an_event_is_marked_well_formed() {
      String json =
          "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\","
              + "\"data\":{\"a\":\"é\"}}";
      var data =
          (EventData.Json) CloudEventJson.readEvent(json.getBytes(StandardCharsets.UTF_8)).data();
      assertThat(data.wellFormed()).isTrue();
    }

    @Test
    void a_mapper_writing_characters_writes_the_same_text_as_the_byte_writer() {
      var stored = new StoredEvent(7, Instant.parse("2024-05-01T12:00:00Z"), full);
      var mapper =
          tools.jackson.databind.json.JsonMapper.builder()
              .addModule(new EvidentSourceJsonModule())
              .build();
      assertThat(mapper.writeValueAsString(List.of(stored, stored)))
          .isEqualTo(
              "[" + CloudEventJson.toJson(stored) + "," + CloudEventJson.toJson(stored) + "]");
    }

    @Test
    void ndjson_is_each_event_as_written_alone_then_a_line_feed_and_leaves_the_stream_open()
        throws Exception {
      Instant t1 = Instant.parse("2024-05-01T12:00:00Z");
      Instant t2 = Instant.parse("2024-05-01T12:00:00.000000001Z");
      var events =
          List.of(
              new StoredEvent(1, t1, full),
              new StoredEvent(2, t1, full.toBuilder().id("e2").build()),
              new StoredEvent(3, t2, full.toBuilder().id("e3").subject(null).build()));
      var expected = new java.io.ByteArrayOutputStream();
      for (StoredEvent stored : events) {
        expected.write(CloudEventJson.toJsonBytes(stored));
        expected.write('\n');
      }
      var closed = new java.util.concurrent.atomic.AtomicBoolean();
      var flushes = new java.util.concurrent.atomic.AtomicInteger();
      var out =
          new java.io.ByteArrayOutputStream() {
            @Override
            public void flush() {
              flushes.incrementAndGet();
            }

            @Override
            public void close() {
              closed.set(true);
            }
          };
      CloudEventJson.writeNdjson(events.iterator(), out, 2);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .isEqualTo(expected.toString(StandardCharsets.UTF_8));
      assertThat(closed).isFalse();
      assertThat(flushes.get()).isGreaterThanOrEqualTo(2); // after the second event, at the end
    }

    @Test
    void ndjson_reports_the_streams_own_exception() {
      var failing =
          new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
              throw new java.io.IOException("client went away");
            }
          };
      var events = List.of(new StoredEvent(1, Instant.EPOCH, full));
      var thrown =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> CloudEventJson.writeNdjson(events.iterator(), failing, 1));
      assertThat(thrown)
          .isExactlyInstanceOf(java.io.IOException.class)
          .hasMessage("client went away");
    }

    @Test
    void recordedtime_is_instant_to_string_alone_in_a_stream_and_in_a_mapper_call()
        throws Exception {
      // InstantTextTest covers the text of every instant; this covers each writer's reuse of the
      // text it wrote last: repeats, changes back and the JDK's path for years past 9999
      Instant a = Instant.parse("2024-05-01T12:00:00.123456789Z");
      Instant b = Instant.parse("+10000-01-01T00:00:00.5Z");
      var events = new java.util.ArrayList<StoredEvent>();
      long revision = 1;
      for (Instant recorded : List.of(a, a, b, b, a, Instant.EPOCH, a)) {
        events.add(
            new StoredEvent(revision++, recorded, full.toBuilder().id("e" + revision).build()));
      }
      var ndjson = new java.io.ByteArrayOutputStream();
      CloudEventJson.writeNdjson(events.iterator(), ndjson, 100);
      List<String> lines = ndjson.toString(StandardCharsets.UTF_8).lines().toList();
      JsonNode page =
          JsonSupport.parse(
              tools.jackson.databind.json.JsonMapper.builder()
                  .addModule(new EvidentSourceJsonModule())
                  .build()
                  .writeValueAsBytes(events));
      for (int i = 0; i < events.size(); i++) {
        String expected = events.get(i).recordedTime().toString();
        byte[] alone = CloudEventJson.toJsonBytes(events.get(i));
        assertThat(JsonSupport.parse(alone).get("recordedtime").stringValue()).isEqualTo(expected);
        assertThat(lines.get(i)).isEqualTo(new String(alone, StandardCharsets.UTF_8));
        assertThat(page.get(i).get("recordedtime").stringValue()).isEqualTo(expected);
      }
    }

    @Test
    void time_written_back_is_the_text_sent() {
      Event e = full.toBuilder().time(EventTime.parse("2024-01-01t10:00:00.5z")).build();
      assertThat(CloudEventJson.toJson(e)).contains("\"time\":\"2024-01-01t10:00:00.5z\"");
    }
  }

  @Test
  void recognises_json_media_types() {
    assertThat(CloudEventJson.isJsonMediaType("application/json")).isTrue();
    assertThat(CloudEventJson.isJsonMediaType("application/cloudevents+json; charset=UTF-8"))
        .isTrue();
    assertThat(CloudEventJson.isJsonMediaType("text/json")).isTrue();
    assertThat(CloudEventJson.isJsonMediaType("text/plain")).isFalse();
    assertThat(CloudEventJson.isJsonMediaType("application/jsonl")).isFalse();
    assertThat(CloudEventJson.isJsonMediaType("+json")).isFalse();
    assertThat(CloudEventJson.isJsonMediaType(null)).isFalse();
  }
}
