package io.evidentsource.wasm;

import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.ComponentRuntime;
import io.evidentsource.core.component.DecideMetadata;
import io.evidentsource.core.component.StateViewResult;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * The synthetic input of the warm-up calls a module gets when it is loaded (docs/wasm-abi.md,
 * "Warm-up"): fixed, so every warm-up runs the same way, and shaped like real input (CloudEvents
 * with nested JSON data, a JSON command) so that the guest's parsing code runs and the JVM compiles
 * it before the first real call. Nothing a warm-up returns is kept.
 */
final class WarmUp {
  /** The source of every warm-up event: a URI no real stream uses. */
  static final String SOURCE = "evidentsource:warm-up";

  /** The type of every warm-up event. */
  static final String TYPE = "evidentsource.warm-up";

  private static final Instant TIME = Instant.parse("2000-01-01T00:00:00Z");
  private static final DatabaseName DATABASE = DatabaseName.of("warm-up");

  private WarmUp() {}

  /**
   * Warm-up event {@code i} (from 1): type {@value #TYPE}, revision {@code i}, about 1 KiB of JSON
   * data mixing what real payloads hold (nested objects and arrays, strings with escapes and
   * non-ASCII text, integers, fractions, exponents, booleans, nulls).
   */
  static StoredEvent event(int i) {
    var data = new StringBuilder("{\"n\":").append(i).append(",\"items\":[");
    for (int k = 0; k < 6; k++) {
      data.append(k == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i * 10 + k)
          .append(",\"name\":\"item-")
          .append(k)
          .append("\",\"ok\":")
          .append(k % 2 == 0)
          .append(",\"none\":null,\"amount\":")
          .append(k * 12.5 - 20)
          .append(",\"ratio\":1.5e-")
          .append(k + 1)
          .append(",\"tags\":[\"a\",\"b\",\"c\"]}");
    }
    data.append("],\"user\":{\"login\":\"user-")
        .append(i % 7)
        .append("\",\"url\":\"https://example.com/users/")
        .append(i % 7)
        .append("\",\"site_admin\":false},")
        .append("\"text\":\"warm-up \\\"event\\\" ")
        .append(i)
        .append(" \\u00e9t\u00e9 \\n\\t caf\u00e9 \u2014 \u6f22\u5b57\"}");
    var event =
        Event.builder()
            .id("warm-up-" + i)
            .source(SOURCE)
            .type(TYPE)
            .subject("warm-up/" + (i % 10))
            .time(TIME.plusSeconds(i).toString())
            .jsonData(data.toString())
            .build();
    return new StoredEvent(i, TIME.plusSeconds(i), event);
  }

  /** An empty JSON command: {@code {"content_type":"application/json","headers":{},"body":{}}}. */
  static Command command() {
    return new Command("application/json", Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
  }

  /** The metadata of the warm-up {@code decide}: database {@code warm-up}, basis revision 0. */
  static DecideMetadata metadata() {
    return new DecideMetadata(DATABASE, 0, TIME, TIME, null, "warm-up", null);
  }

  /** What {@code view_state} reads during a warm-up: no view has state (the guest gets 0). */
  static ComponentRuntime.ViewReader views() {
    return (name, params) ->
        new StateViewResult(DATABASE, name, 1, 0, 0, null, "application/json", new byte[0]);
  }

  /** The basis time of warm-up calls (what the guest's WASI clock reads). */
  static Instant basisTime() {
    return TIME;
  }
}
