package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.json.CloudEventJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the host cuts a fold into evolve calls: by event count and by JSON bytes
 * (docs/wasm-abi.md#the-contract).
 */
class EvolveBatchingTest {
  /** A view whose state is the number of evolve calls it has seen. */
  private static byte[] callCountingView() {
    return Wat.view(
        "", "(call $itoa (i64.add (call $atoi (local.get $s) (local.get $sl)) (i64.const 1)))");
  }

  private static String fold(WasmLimits limits, int events, int dataBytes, String view) {
    try (var f = new Fixture(limits)) {
      var batch = new Event[events];
      for (int i = 0; i < events; i++) {
        batch[i] =
            Event.builder()
                .id("e" + i)
                .source("s")
                .type("t")
                .subject("x")
                .jsonData("\"" + "d".repeat(dataBytes) + "\"")
                .build();
      }
      f.append(batch); // one transaction: one recorded time, so every event's JSON has one size
      var module = view.equals("calls") ? callCountingView() : Wat.countingView();
      f.publishView(Fixture.view(view, EventSelector.any()), module);
      return new String(
          f.views.foldFromScratch(DB, view, null, StateViewRead.latest(Map.of())),
          StandardCharsets.UTF_8);
    }
  }

  private static int eventJsonBytes(int dataBytes) {
    try (var f = new Fixture()) {
      f.append(
          Event.builder()
              .id("e0")
              .source("s")
              .type("t")
              .subject("x")
              .jsonData("\"" + "d".repeat(dataBytes) + "\"")
              .build());
      var stored = f.store.stream(DB, EventQuery.all(), 1).events().next();
      return CloudEventJson.toJson(stored).getBytes(StandardCharsets.UTF_8).length;
    }
  }

  @Test
  void cuts_batches_at_the_event_count() {
    var limits = WasmLimits.defaults().withEvolveBatchEvents(3);
    assertThat(fold(limits, 10, 10, "calls")).isEqualTo("4");
    assertThat(fold(limits, 10, 10, "count")).isEqualTo("10");
  }

  @Test
  void cuts_batches_at_the_byte_limit_counting_the_array_punctuation() {
    // 9 events: ids e0..e8 and revisions 1..9 have one size each, so every event's JSON has too
    int one = eventJsonBytes(200);
    // room for exactly two events: "[" + a + "," + b + "]"
    var limits = WasmLimits.defaults().withEvolveBatchBytes(2 * one + 3);
    assertThat(fold(limits, 9, 200, "calls")).isEqualTo("5");
    assertThat(fold(limits, 9, 200, "count")).isEqualTo("9");
    // one byte less: one event per call
    var tighter = WasmLimits.defaults().withEvolveBatchBytes(2 * one + 2);
    assertThat(fold(tighter, 9, 200, "calls")).isEqualTo("9");
  }

  @Test
  void an_event_larger_than_the_byte_limit_still_goes_alone() {
    var limits = WasmLimits.defaults().withEvolveBatchBytes(64);
    assertThat(fold(limits, 5, 300, "calls")).isEqualTo("5");
    assertThat(fold(limits, 5, 300, "count")).isEqualTo("5");
  }
}
