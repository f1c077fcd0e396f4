package io.evidentsource.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The evolve input writer against the CloudEvents JSON writer the REST API uses. */
class EventBatchWriterTest {
  private static final Instant RECORDED = Instant.parse("2026-11-29T10:15:30.123456789Z");

  private static StoredEvent stored(long revision, Event event) {
    return new StoredEvent(revision, RECORDED.plusNanos(revision / 3), event);
  }

  /** The JSON array CloudEventJson writes for the same events: the reference. */
  private static String reference(List<StoredEvent> events) {
    var parts = new ArrayList<String>();
    for (var e : events) {
      parts.add(CloudEventJson.toJson(e));
    }
    return "[" + String.join(",", parts) + "]";
  }

  private static byte[] written(List<StoredEvent> events) {
    var w = new EventBatchWriter(16); // tiny, so every write path grows the buffer
    w.start();
    for (var e : events) {
      w.append(e);
    }
    w.finish();
    return Arrays.copyOf(w.buffer(), w.length());
  }

  private static void assertSameJson(List<StoredEvent> events) {
    var written = written(events);
    assertThat(JsonSupport.parse(written))
        .isEqualTo(JsonSupport.parse(reference(events).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void writes_every_attribute_like_the_cloudevents_json_format() {
    var full =
        Event.builder()
            .id("id-1")
            .source("https://github.com/o/r")
            .type("issues.opened")
            .subject("issues/7")
            .time(EventTime.parse("2026-01-02T03:04:05.6+01:00"))
            .dataContentType("application/json")
            .dataSchema("https://example.com/schema")
            .extension("flag", true)
            .extension("count", 42)
            .extension("note", "free text")
            .tags("course:c1", "student:s7")
            .jsonData("{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}")
            .build();
    var text = Event.builder().id("t").source("s").type("x").data(new EventData.Text("hi")).build();
    var binary =
        Event.builder()
            .id("b")
            .source("s")
            .type("x")
            .data(new EventData.Binary(new byte[] {0, 1, (byte) 0xff, 42}))
            .build();
    var bare = Event.builder().id("n").source("s").type("x").build();
    var events =
        List.of(stored(1, full), stored(2, text), stored(3, binary), stored(4_000_000_000L, bare));
    assertSameJson(events);
    // byte for byte too: the writer keeps CloudEventJson's attribute order
    assertThat(new String(written(events), StandardCharsets.UTF_8)).isEqualTo(reference(events));
  }

  @Test
  void escapes_quotes_backslashes_control_characters_and_keeps_unicode() {
    var awkward = "q\"b\\s/ n\n r\r t\t nul\u0000 us\u001f é ü 中文 😀 end";
    var event =
        Event.builder()
            .id(awkward)
            .source("s")
            .type("x")
            .subject(awkward)
            .data(new EventData.Text(awkward))
            .build();
    var events = List.of(stored(1, event));
    assertSameJson(events);
    var back = JsonSupport.parse(written(events)).get(0);
    assertThat(back.get("id").stringValue()).isEqualTo(awkward);
    assertThat(back.get("subject").stringValue()).isEqualTo(awkward);
    assertThat(back.get("data").stringValue()).isEqualTo(awkward);
  }

  @Test
  void random_strings_round_trip_through_the_written_json() {
    var random = new Random(7);
    var events = new ArrayList<StoredEvent>();
    for (int i = 1; i <= 500; i++) {
      events.add(
          stored(
              i,
              Event.builder()
                  .id("e" + i + randomText(random))
                  .source("s" + randomText(random))
                  .type("t")
                  .subject(random.nextBoolean() ? null : randomText(random))
                  .data(new EventData.Text(randomText(random)))
                  .build()));
    }
    assertSameJson(events);
  }

  @Test
  void removing_the_last_event_leaves_a_valid_array_of_the_others() {
    var events = new ArrayList<StoredEvent>();
    for (int i = 1; i <= 3; i++) {
      events.add(stored(i, Event.builder().id("e" + i).source("s").type("x").build()));
    }
    var w = new EventBatchWriter(16);
    w.start();
    w.append(events.get(0));
    w.append(events.get(1));
    int mark = w.append(events.get(2));
    w.removeFrom(mark);
    w.finish();
    assertThat(w.events()).isEqualTo(2);
    assertThat(JsonSupport.parse(Arrays.copyOf(w.buffer(), w.length())))
        .isEqualTo(
            JsonSupport.parse(reference(events.subList(0, 2)).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void writes_each_recorded_time_as_instant_to_string_also_after_a_shared_one() {
    // InstantTextTest covers the text of every instant; this covers the writer's reuse of the last
    Instant a = Instant.parse("2026-11-29T10:15:30Z");
    Instant b = Instant.parse("+10000-01-01T00:00:00.5Z");
    var events = new ArrayList<StoredEvent>();
    long revision = 1;
    for (Instant recorded : List.of(a, a, b, b, a, RECORDED)) {
      var event = Event.builder().id("e" + revision).source("s").type("x").build();
      events.add(new StoredEvent(revision++, recorded, event));
    }
    var back = JsonSupport.parse(written(events));
    for (int i = 0; i < events.size(); i++) {
      assertThat(back.get(i).get("recordedtime").stringValue())
          .isEqualTo(events.get(i).recordedTime().toString());
    }
  }

  /**
   * Text mixing ASCII, control characters, 2-, 3- and 4-byte UTF-8 and JSON's special characters.
   */
  private static String randomText(Random random) {
    var sb = new StringBuilder();
    int n = random.nextInt(12);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(6)) {
        case 0 -> sb.append((char) random.nextInt(0x20));
        case 1 -> sb.append("\"\\/".charAt(random.nextInt(3)));
        case 2 -> sb.append((char) (0x80 + random.nextInt(0x780)));
        case 3 -> sb.append((char) (0x800 + random.nextInt(0xd000 - 0x800)));
        case 4 -> sb.appendCodePoint(0x10000 + random.nextInt(0x10ffff - 0x10000));
        default -> sb.append((char) (0x20 + random.nextInt(0x5f)));
      }
    }
    return sb.toString();
  }
}
