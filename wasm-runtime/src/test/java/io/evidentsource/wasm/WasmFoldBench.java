package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;

import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentRuntime;
import io.evidentsource.core.component.DecideMetadata;
import io.evidentsource.core.component.DecideResult;
import io.evidentsource.core.component.Provenance;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.memory.InMemoryComponentRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Measurements, not a test: the class name does not match the surefire includes, so it only runs
 * when named: {@code ./mvnw -B -ntp verify -pl wasm-runtime -am -Dtest=WasmFoldBench
 * -Dsurefire.failIfNoSpecifiedTests=false}. Prints events folded per second by the counting view
 * (AssemblyScript, Go; compiled and interpreted) against its Java twin over the same store, and the
 * latency of the Go transfer's decide. Run it on a quiet machine; numbers go to docs/benchmarks.md.
 */
class WasmFoldBench {
  static final int EVENTS = Integer.getInteger("bench.events", 200_000);

  /**
   * {@code -Dbench.only=decide} runs the decide latency part alone; {@code -Dbench.only=fold} only
   * the Java twin against the compiled AssemblyScript view (for iterating on either).
   */
  static final String ONLY = System.getProperty("bench.only", "");

  /**
   * {@code -Dbench.commands=N}: how many transfers the decide latency part runs (the first quarter
   * is warm-up). The default, 8,000, measures the steady state: with 2,000 HotSpot was still
   * compiling the guests' methods (about 3 s of C2 work on 2 cores) while the rest was measured,
   * which a long-running server pays once at startup.
   */
  static final int COMMANDS = Integer.getInteger("bench.commands", 8000);

  /** The same reducer in Java: a ComponentRuntime whose evolve adds the batch size. */
  static final class JavaTwin implements ComponentRuntime {
    @Override
    public void validate(ComponentKind<?> kind, byte[] module) {}

    @Override
    public void load(ComponentId id, byte[] module) {}

    @Override
    public boolean isLoaded(ComponentId id) {
      return true;
    }

    @Override
    public int evolveBatchSize() {
      return 1000;
    }

    @Override
    public byte[] evolve(
        ComponentId id,
        byte[] state,
        List<StoredEvent> events,
        Map<String, String> params,
        Instant basisTime) {
      long n = state.length == 0 ? 0 : Long.parseLong(new String(state, StandardCharsets.UTF_8));
      return Long.toString(n + events.size()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public DecideResult decide(
        ComponentId id, Command command, DecideMetadata metadata, ViewReader views) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void fold_throughput_and_decide_latency() {
    var out = new StringBuilder();
    if (!ONLY.equals("decide")) {
      out.append(folds());
    }
    if (!ONLY.equals("fold")) {
      out.append(decideLatency());
    }
    System.out.println("\n=== WasmFoldBench ===\n" + out);
  }

  private static String folds() {
    var out = new StringBuilder();
    out.append(String.format("events per fold: %d (each ~300 bytes of CloudEvent JSON)%n", EVENTS));
    try (var f = new Fixture(WasmLimits.defaults())) {
      var batch = new ArrayList<Event>();
      for (int i = 0; i < EVENTS; i++) {
        batch.add(
            Event.builder()
                .id("e" + i)
                .source("bench")
                .type("Counted")
                .subject("item/" + (i % 100))
                .jsonData("{\"n\":" + i + ",\"text\":\"hello\"}")
                .build());
        if (batch.size() == 25) {
          f.store.transact(DB, Transaction.of(batch));
          batch.clear();
        }
      }
      var javaTwin = new JavaTwin();
      var twinCatalog =
          new ComponentCatalog(
              f.store, new InMemoryComponentRegistry(), javaTwin, Clock.systemUTC());
      var twin = new StateViews(f.store, twinCatalog, javaTwin, 10);
      twinCatalog.publish(
          DB, ComponentKind.STATE_VIEW, Fixture.view("count", EventSelector.any()), new byte[0]);
      for (boolean compiled : new boolean[] {true, false}) {
        try (var g = new Fixture(WasmLimits.defaults().withCompile(compiled))) {
          // share the loaded store: publish into g's views over f's store
          var catalog = new ComponentCatalog(f.store, g.registry, g.runtime, Clock.systemUTC());
          var views = new StateViews(f.store, catalog, g.runtime, 10);
          catalog.publish(
              DB,
              ComponentKind.STATE_VIEW,
              Fixture.view("as", EventSelector.any()),
              Toolchains.assemblyScript("counter.ts"));
          Supplier<byte[]> as =
              () -> views.foldFromScratch(DB, "as", null, StateViewRead.latest(Map.of()));
          if (compiled) {
            out.append(
                paired(
                    () -> twin.foldFromScratch(DB, "count", null, StateViewRead.latest(Map.of())),
                    as));
          } else {
            out.append(measure("AssemblyScript interpreted", as));
          }
          if (ONLY.equals("fold")) {
            break;
          }
          if (compiled) {
            catalog.publish(
                DB,
                ComponentKind.STATE_VIEW,
                Fixture.view("go", EventSelector.any()),
                Toolchains.go("counter"));
            out.append(
                measure(
                    "Go compiled",
                    () -> views.foldFromScratch(DB, "go", null, StateViewRead.latest(Map.of()))));
            for (var name : List.of("as", "go")) {
              var id = catalog.describe(DB, ComponentKind.STATE_VIEW, name, 1).id();
              out.append(
                  String.format(
                      "pool of %s: %d idle instance(s), %,d bytes of linear memory%n",
                      name, g.runtime.idleInstances(id), g.runtime.idleMemoryBytes(id)));
            }
          }
        }
      }
    }
    return out.toString();
  }

  /**
   * The Java twin and the compiled AssemblyScript view, measured in alternating rounds (after two
   * warm-up folds each) so both see the same machine; medians and the ratio of the medians.
   */
  private static String paired(Supplier<byte[]> twin, Supplier<byte[]> as) {
    int rounds = 9;
    for (int i = 0; i < 2; i++) {
      consume(twin.get());
      consume(as.get());
    }
    var twinNanos = new long[rounds];
    var asNanos = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      consume(twin.get());
      twinNanos[r] = System.nanoTime() - start;
      start = System.nanoTime();
      consume(as.get());
      asNanos[r] = System.nanoTime() - start;
    }
    Arrays.sort(twinNanos);
    Arrays.sort(asNanos);
    var out = new StringBuilder();
    for (var entry :
        List.of(Map.entry("Java twin", twinNanos), Map.entry("AssemblyScript compiled", asNanos))) {
      long[] nanos = entry.getValue();
      out.append(
          String.format(
              "%-28s %,12.0f events/s  (median of %d alternating rounds: %,.1f ms; best %,.1f"
                  + " ms)%n",
              entry.getKey(),
              EVENTS / (nanos[rounds / 2] / 1e9),
              rounds,
              nanos[rounds / 2] / 1e6,
              nanos[0] / 1e6));
    }
    out.append(
        String.format(
            "AssemblyScript compiled / Java twin, medians: %.1fx%n",
            (double) asNanos[rounds / 2] / twinNanos[rounds / 2]));
    System.out.print("WasmFoldBench: " + out);
    return out.toString();
  }

  /** Keeps a fold's result observable, so the JIT cannot drop a timed call as dead code. */
  @SuppressWarnings("UnusedVariable") // written, never read: a volatile write is the blackhole
  private static volatile int consumed;

  private static void consume(byte[] state) {
    consumed = state.length;
  }

  private static String measure(String name, Supplier<byte[]> fold) {
    boolean slow = name.contains("interpreted");
    consume(fold.get()); // warm-up (JIT, instance pool)
    if (!slow) {
      consume(fold.get());
    }
    int runs = slow ? 1 : 7;
    long best = Long.MAX_VALUE;
    String state = "";
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      state = new String(fold.get(), StandardCharsets.UTF_8);
      best = Math.min(best, System.nanoTime() - start);
    }
    var line =
        String.format(
            "%-28s %,12.0f events/s  (best of %d: %,d ms; state %s)%n",
            name, EVENTS / (best / 1e9), runs, best / 1_000_000, state);
    System.out.print("WasmFoldBench: " + line);
    return line;
  }

  /**
   * A {@link ComponentRuntime} that times what it delegates: the whole {@code decide}, the {@code
   * view_state} reads it makes and the view folds ({@code evolve}) those reads trigger, in ns.
   */
  static final class Timed implements ComponentRuntime {
    final ComponentRuntime delegate;
    long decide;
    long reads;
    long evolve;

    Timed(ComponentRuntime delegate) {
      this.delegate = delegate;
    }

    void reset() {
      decide = 0;
      reads = 0;
      evolve = 0;
    }

    @Override
    public void validate(ComponentKind<?> kind, byte[] module) {
      delegate.validate(kind, module);
    }

    @Override
    public void load(ComponentId id, byte[] module) {
      delegate.load(id, module);
    }

    @Override
    public boolean isLoaded(ComponentId id) {
      return delegate.isLoaded(id);
    }

    @Override
    public int evolveBatchSize() {
      return delegate.evolveBatchSize();
    }

    @Override
    public byte[] evolve(
        ComponentId id,
        byte[] state,
        List<StoredEvent> events,
        Map<String, String> params,
        Instant basisTime) {
      long start = System.nanoTime();
      try {
        return delegate.evolve(id, state, events, params, basisTime);
      } finally {
        evolve += System.nanoTime() - start;
      }
    }

    @Override
    public DecideResult decide(
        ComponentId id, Command command, DecideMetadata metadata, ViewReader views) {
      long start = System.nanoTime();
      try {
        return delegate.decide(
            id,
            command,
            metadata,
            (name, params) -> {
              long t = System.nanoTime();
              try {
                return views.read(name, params);
              } finally {
                reads += System.nanoTime() - t;
              }
            });
      } finally {
        decide += System.nanoTime() - start;
      }
    }
  }

  private static String decideLatency() {
    try (var f = new Fixture(WasmLimits.defaults())) {
      var timed = new Timed(f.runtime);
      var catalog = new ComponentCatalog(f.store, f.registry, timed, Clock.systemUTC());
      var views = new StateViews(f.store, catalog, timed, 1000);
      var changes =
          new StateChanges(
              f.store, catalog, timed, views, Clock.systemUTC(), java.util.UUID::randomUUID);
      catalog.publish(
          DB,
          ComponentKind.STATE_VIEW,
          new io.evidentsource.core.component.StateViewDefinition(
              "account-summary",
              null,
              "application/json",
              null,
              new EventSelector.Equals(Attribute.SUBJECT, "account/{account_id}"),
              io.evidentsource.core.component.QueryTemporality.REVISION),
          Toolchains.go("account-summary"));
      catalog.publish(
          DB,
          ComponentKind.STATE_CHANGE,
          new StateChangeDefinition("transfer", null),
          Toolchains.go("transfer"));
      var opening = new ArrayList<Event>();
      for (int i = 0; i < 10; i++) {
        opening.add(
            Event.builder()
                .id("open-" + i)
                .source("bank")
                .type("Deposited")
                .subject("account/a" + i)
                .jsonData("{\"amount\":1000000}")
                .build());
      }
      f.store.transact(DB, Transaction.of(opening));
      int n = COMMANDS;
      var nanos = new long[n];
      var cpu = new long[n];
      var threads = java.lang.management.ManagementFactory.getThreadMXBean();
      // per call: [decide outside view_state, view_state outside folds, folds, append]
      var parts = new long[4][n];
      for (int i = 0; i < n; i++) {
        var body =
            "{\"transfer_id\":\"t"
                + i
                + "\",\"from\":\"a"
                + (i % 10)
                + "\",\"to\":\"a"
                + ((i + 1) % 10)
                + "\",\"amount\":1}";
        timed.reset();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        changes.execute(
            DB,
            "transfer",
            null,
            new Command("application/json", Map.of(), body.getBytes(StandardCharsets.UTF_8)),
            Provenance.http());
        nanos[i] = System.nanoTime() - start;
        cpu[i] = threads.getCurrentThreadCpuTime() - cpuStart;
        parts[0][i] = timed.decide - timed.reads;
        parts[1][i] = timed.reads - timed.evolve;
        parts[2][i] = timed.evolve;
        parts[3][i] = nanos[i] - timed.decide;
      }
      var out = new StringBuilder();
      out.append(latency("transfer (Go) execute, sequential", nanos));
      out.append(latency("  its CPU time (this thread)", cpu));
      var names =
          List.of(
              "  decide (guest + host JSON)",
              "  view_state (store + JSON)",
              "  view folds (evolve)",
              "  append");
      for (int p = 0; p < parts.length; p++) {
        out.append(latency(names.get(p), parts[p]));
      }
      for (var name : List.of("transfer", "account-summary")) {
        var kind = name.equals("transfer") ? ComponentKind.STATE_CHANGE : ComponentKind.STATE_VIEW;
        var id = new ComponentId(DB, f.store.database(DB).generation(), kind, name, 1);
        out.append(
            String.format(
                "%s: %d instance(s) ever created, %,d bytes of idle linear memory%n",
                name, f.runtime.instancesCreated(id), f.runtime.idleMemoryBytes(id)));
      }
      return out.toString();
    }
  }

  /** p50, p99 and max of the samples after the first quarter (warm-up). */
  private static String latency(String name, long[] nanos) {
    var measured = Arrays.copyOfRange(nanos, nanos.length / 4, nanos.length);
    Arrays.sort(measured);
    return String.format(
        "%s, %d measured: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        name,
        measured.length,
        measured[measured.length / 2] / 1e6,
        measured[(int) (measured.length * 0.99)] / 1e6,
        measured[measured.length - 1] / 1e6);
  }
}
