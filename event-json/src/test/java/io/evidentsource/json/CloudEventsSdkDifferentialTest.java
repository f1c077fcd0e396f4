package io.evidentsource.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Differential tests against the official CloudEvents Java SDK (its Jackson 2 JSON format): what we
 * write, the SDK reads as the same event, and what the SDK writes, we read as the same event.
 */
class CloudEventsSdkDifferentialTest {
  static final Path SAMPLE = Path.of("..", "samples", "github-webhooks.ndjson");
  static final ObjectMapper JACKSON2 = new ObjectMapper();

  static Event ours(String contentType, EventData data) {
    return Event.builder()
        .id("evt-1")
        .source("https://github.com/o/r")
        .type("com.example.thing.happened")
        .subject("things/1")
        .time("2021-08-19T12:16:32.000-04:00")
        .dataSchema("https://example.com/schema.json")
        .extension("tags", "course:c1,student:s7")
        .extension("traced", true)
        .extension("priority", 42)
        .dataContentType(contentType)
        .data(data)
        .build();
  }

  static CloudEventBuilder sdk(String contentType, byte[] data) {
    return CloudEventBuilder.v1()
        .withId("evt-2")
        .withSource(URI.create("/orders/eu"))
        .withType("OrderPlaced")
        .withSubject("order-7")
        .withTime(OffsetDateTime.parse("2024-02-29T23:59:59.123+01:00"))
        .withDataSchema(URI.create("https://example.com/order.json"))
        .withExtension("tags", "a,b")
        .withExtension("traced", false)
        .withExtension("priority", -3)
        .withData(contentType, data);
  }

  /** Asserts that the SDK's event and ours carry the same attributes and data bytes. */
  static void assertSame(CloudEvent sdk, Event ours) {
    assertThat(sdk.getId()).isEqualTo(ours.id());
    assertThat(sdk.getSource().toString()).isEqualTo(ours.source());
    assertThat(sdk.getType()).isEqualTo(ours.type());
    assertThat(sdk.getSubject()).isEqualTo(ours.subject());
    assertThat(sdk.getDataContentType()).isEqualTo(ours.dataContentType());
    assertThat(sdk.getDataSchema() == null ? null : sdk.getDataSchema().toString())
        .isEqualTo(ours.dataSchema());
    if (ours.time() == null) {
      assertThat(sdk.getTime()).isNull();
    } else {
      assertThat(sdk.getTime().toInstant()).isEqualTo(ours.time().instant());
    }
    var sdkExtensions = new HashMap<String, Object>();
    for (String name : sdk.getExtensionNames()) {
      sdkExtensions.put(name, sdk.getExtension(name));
    }
    assertThat(sdkExtensions).isEqualTo(ours.extensions());
    EventData data = ours.data();
    if (data == null) {
      assertThat(sdk.getData()).isNull();
    } else if (data instanceof EventData.Json json) {
      assertThat(tree(sdk.getData().toBytes())).isEqualTo(tree(json.utf8()));
    } else if (data instanceof EventData.Text text) {
      assertThat(new String(sdk.getData().toBytes(), StandardCharsets.UTF_8))
          .isEqualTo(text.text());
    } else {
      assertThat(sdk.getData().toBytes()).isEqualTo(((EventData.Binary) data).bytes());
    }
  }

  static com.fasterxml.jackson.databind.JsonNode tree(byte[] json) {
    try {
      return JACKSON2.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] bytes(EventData data) {
    if (data instanceof EventData.Json json) {
      return json.utf8();
    }
    if (data instanceof EventData.Text text) {
      return text.text().getBytes(StandardCharsets.UTF_8);
    }
    return ((EventData.Binary) data).bytes();
  }

  @Nested
  class what_we_write_the_sdk_reads {
    final JsonFormat format = new JsonFormat();

    @Test
    void json_data() {
      Event e = ours("application/json", EventData.Json.of("{\"n\":[1,2.5,\"x\"],\"ok\":true}"));
      assertSame(format.deserialize(CloudEventJson.toJsonBytes(e)), e);
    }

    @Test
    void json_data_without_a_content_type() {
      Event e = ours(null, EventData.Json.of("[\"a\",{\"b\":null}]"));
      CloudEvent sdk = format.deserialize(CloudEventJson.toJsonBytes(e));
      assertThat(tree(sdk.getData().toBytes())).isEqualTo(tree(bytes(e.data())));
    }

    @Test
    void text_data() {
      Event e = ours("text/plain; charset=utf-8", new EventData.Text("café \"quoted\"\nline 2"));
      assertSame(format.deserialize(CloudEventJson.toJsonBytes(e)), e);
    }

    @Test
    void binary_data() {
      Event e = ours("application/octet-stream", new EventData.Binary(new byte[] {0, 1, -2, 127}));
      assertSame(format.deserialize(CloudEventJson.toJsonBytes(e)), e);
    }

    @Test
    void no_data() {
      Event e = ours(null, null);
      assertSame(format.deserialize(CloudEventJson.toJsonBytes(e)), e);
    }
  }

  @Nested
  class what_the_sdk_writes_we_read {
    @Test
    void json_data() {
      byte[] data = "{\"total\":12.5,\"items\":[{\"sku\":\"a\"}]}".getBytes(StandardCharsets.UTF_8);
      CloudEvent sdk = sdk("application/json", data).build();
      Event e = CloudEventJson.readEvent(new JsonFormat().serialize(sdk));
      assertThat(e.data()).isInstanceOf(EventData.Json.class);
      assertSame(sdk, e);
    }

    @Test
    void text_data_written_as_a_string() {
      byte[] data = "hello, wörld".getBytes(StandardCharsets.UTF_8);
      CloudEvent sdk = sdk("text/plain", data).build();
      Event e =
          CloudEventJson.readEvent(new JsonFormat().withForceNonJsonDataToString().serialize(sdk));
      assertThat(e.data()).isEqualTo(new EventData.Text("hello, wörld"));
      assertSame(sdk, e);
    }

    @Test
    void text_data_written_as_base64() {
      byte[] data = "plain".getBytes(StandardCharsets.UTF_8);
      CloudEvent sdk = sdk("text/plain", data).build();
      Event e = CloudEventJson.readEvent(new JsonFormat().serialize(sdk));
      assertThat(bytes(e.data())).isEqualTo(data);
      assertThat(sdk.getId()).isEqualTo(e.id());
    }

    @Test
    void binary_data() {
      byte[] data = {(byte) 0xCA, (byte) 0xFE, 0, 1};
      CloudEvent sdk = sdk("application/octet-stream", data).build();
      Event e = CloudEventJson.readEvent(new JsonFormat().serialize(sdk));
      assertThat(e.data()).isEqualTo(new EventData.Binary(data));
      assertSame(sdk, e);
    }

    @Test
    void the_sdk_time_text_is_kept_as_written() {
      CloudEvent sdk = sdk("application/json", "1".getBytes(StandardCharsets.UTF_8)).build();
      byte[] json = new JsonFormat().serialize(sdk);
      String written = tree(json).get("time").asText();
      Event e = CloudEventJson.readEvent(json);
      assertThat(e.time()).isEqualTo(EventTime.parse(written));
    }
  }

  @Test
  void both_read_every_github_sample_event_alike_and_the_sdk_reads_our_output_alike()
      throws IOException {
    List<String> lines = Files.readAllLines(SAMPLE, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(329);
    var format = new JsonFormat();
    Map<String, Integer> kinds = new HashMap<>();
    for (String line : lines) {
      byte[] json = line.getBytes(StandardCharsets.UTF_8);
      Event e = CloudEventJson.readEvent(json);
      assertSame(format.deserialize(json), e);
      assertSame(format.deserialize(CloudEventJson.toJsonBytes(e)), e);
      assertThat(tree(bytes(e.data()))).isEqualTo(tree(json).get("data"));
      kinds.merge(e.data().getClass().getSimpleName(), 1, Integer::sum);
    }
    assertThat(kinds).containsExactly(Map.entry("Json", 329));
  }
}
