package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;

import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.json.CloudEventJson;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Measurements, not a test (outside the surefire includes; run it by name with {@code
 * -Dtest=ColdStartProbe}, once per JVM and setting, see docs/benchmarks.md): how long a freshly
 * published Go view (guests/go/open-issues over all of samples/github-webhooks.ndjson, 329 events)
 * takes to publish and to answer its first reads, with the warm-up calls of {@code
 * -Dprobe.warm-up-calls} (default 3; 0 = no warm-up). Each read folds all events from scratch in
 * one {@code evolve} call; the call timeout is lifted so a cold read is measured, not cut off.
 */
class ColdStartProbe {
  static final int WARM_UP_CALLS = Integer.getInteger("probe.warm-up-calls", 3);

  @Test
  void first_reads_of_a_freshly_published_go_view() throws Exception {
    var module = Toolchains.go("open-issues");
    var limits =
        WasmLimits.defaults().withCallTimeout(Duration.ofMinutes(5)).withWarmUpCalls(WARM_UP_CALLS);
    try (var f = new Fixture(limits)) {
      var lines = Files.readAllLines(GithubIssuesViewTest.SAMPLE, StandardCharsets.UTF_8);
      var batch = new ArrayList<Event>();
      for (var line : lines) {
        batch.add(CloudEventJson.readEvent(line));
        if (batch.size() == 25) {
          f.store.transact(DB, Transaction.of(batch));
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        f.store.transact(DB, Transaction.of(batch));
      }
      var out = new StringBuilder("=== ColdStartProbe ===\n");
      long t = System.nanoTime();
      long jit = jitMillis();
      f.publishView(Fixture.view("open-issues", EventSelector.any()), module);
      out.append(
          String.format(
              "ColdStartProbe: warm-up calls %d: publish %,d ms (JIT %,d ms), %d bytes of module%n",
              WARM_UP_CALLS, millis(t), jitMillis() - jit, module.length));
      for (int i = 1; i <= 5; i++) {
        t = System.nanoTime();
        jit = jitMillis();
        f.views.foldFromScratch(DB, "open-issues", null, StateViewRead.latest(Map.of()));
        out.append(
            String.format(
                "ColdStartProbe: warm-up calls %d: read %d %,d ms (JIT %,d ms meanwhile)%n",
                WARM_UP_CALLS, i, millis(t), jitMillis() - jit));
      }
      System.out.print(out);
    }
  }

  private static long millis(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  private static long jitMillis() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }
}
