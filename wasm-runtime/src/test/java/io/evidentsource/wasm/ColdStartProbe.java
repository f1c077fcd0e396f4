package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.error.EvidentSourceException;
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
 * -Dprobe.warm-up-calls} (default 3; 0 = no warm-up). Each read folds all events from scratch
 * ({@code evolve} calls of up to 1 MiB of events); the call timeout is lifted so a cold read is
 * measured, not cut off, unless {@code -Dprobe.call-timeout-seconds} sets it (then a read that
 * times out says {@code component_timeout}).
 */
class ColdStartProbe {
  static final int WARM_UP_CALLS = Integer.getInteger("probe.warm-up-calls", 3);

  /** The call timeout in seconds; by default lifted (300 s) so that cold reads are measured. */
  static final int CALL_TIMEOUT_SECONDS = Integer.getInteger("probe.call-timeout-seconds", 300);

  /**
   * The most JSON bytes of events per {@code evolve} call (default 1 MiB, the server's default).
   */
  static final int BATCH_BYTES = Integer.getInteger("probe.evolve-batch-bytes", 1 << 20);

  /**
   * Whether JIT compilation moves deadlines out ({@code -Dprobe.jit-extension=false} turns it off,
   * to see how calls fared before).
   */
  static final boolean JIT_EXTENSION =
      Boolean.parseBoolean(System.getProperty("probe.jit-extension", "true"));

  @Test
  void first_reads_of_a_freshly_published_go_view() throws Exception {
    var module = Toolchains.go("open-issues");
    var limits =
        WasmLimits.defaults()
            .withCallTimeout(Duration.ofSeconds(CALL_TIMEOUT_SECONDS))
            .withWarmUpCalls(WARM_UP_CALLS)
            .withEvolveBatchBytes(BATCH_BYTES);
    var runtime =
        JIT_EXTENSION
            ? new ChicoryComponentRuntime(limits)
            : new ChicoryComponentRuntime(limits, MachineFactoryCompiler::compile, () -> 0);
    try (var f = new Fixture(runtime)) {
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
        String outcome = "ok";
        try {
          f.views.foldFromScratch(DB, "open-issues", null, StateViewRead.latest(Map.of()));
        } catch (EvidentSourceException e) {
          outcome = e.code().code();
        }
        out.append(
            String.format(
                "ColdStartProbe: warm-up calls %d, batches of %,d bytes, call timeout %d s, JIT"
                    + " extension %s: read %d %s in %,d ms (JIT %,d ms meanwhile)%n",
                WARM_UP_CALLS,
                BATCH_BYTES,
                CALL_TIMEOUT_SECONDS,
                JIT_EXTENSION ? "on" : "off",
                i,
                outcome,
                millis(t),
                jitMillis() - jit));
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
