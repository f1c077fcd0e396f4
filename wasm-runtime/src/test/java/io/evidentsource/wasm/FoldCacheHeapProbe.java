package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;

import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.memory.InMemoryComponentRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Measurements, not a test (the class name is outside the surefire includes; run it by name with
 * {@code -Dtest=FoldCacheHeapProbe}): the heap one fold cache entry really keeps, to check the
 * fixed estimate {@link StateViews#CACHE_ENTRY_OVERHEAD_BYTES} the byte budget counts per fold.
 * Reads N per-subject folds (one parameter, a one-byte state, the Java twin of the counting view)
 * with the cache on, and the same reads with the cache off, and divides the retained heap by N.
 */
class FoldCacheHeapProbe {
  static final int FOLDS = Integer.getInteger("probe.folds", 50_000);

  @Test
  void heap_per_cached_fold() throws InterruptedException {
    try (var f = new Fixture(WasmLimits.defaults())) {
      var batch = new ArrayList<Event>();
      for (int i = 0; i < FOLDS; i++) {
        batch.add(Fixture.event("e" + i, "item/" + i));
        if (batch.size() == 25) {
          f.store.transact(DB, Transaction.of(batch));
          batch.clear();
        }
      }
      f.store.query(DB, EventQuery.of(EventSelector.any()));
      var out = new StringBuilder();
      for (boolean cached : new boolean[] {false, true, false, true}) {
        var twin = new WasmFoldBench.JavaTwin();
        var catalog =
            new ComponentCatalog(f.store, new InMemoryComponentRegistry(), twin, Clock.systemUTC());
        var views =
            new StateViews(
                f.store,
                catalog,
                twin,
                cached ? Integer.MAX_VALUE : 0,
                cached ? Long.MAX_VALUE : 0);
        catalog.publish(
            DB,
            ComponentKind.STATE_VIEW,
            Fixture.view("per-item", new EventSelector.Equals(Attribute.SUBJECT, "item/{id}")),
            new byte[0]);
        long before = usedAfterGc();
        for (int i = 0; i < FOLDS; i++) {
          views.read(DB, "per-item", null, StateViewRead.latest(Map.of("id", Integer.toString(i))));
        }
        long after = usedAfterGc();
        out.append(
            String.format(
                "FoldCacheHeapProbe: cache %s, %,d folds, %,d cached, %,d bytes counted: "
                    + "%,.0f bytes of heap kept per fold (estimate counted: %d + state)%n",
                cached ? "on " : "off",
                FOLDS,
                views.cachedFolds(),
                views.cachedBytes(),
                (after - before) / (double) FOLDS,
                StateViews.CACHE_ENTRY_OVERHEAD_BYTES));
        if (views.cachedFolds() < 0) {
          throw new AssertionError("keeps the views reachable until after the measurement");
        }
      }
      System.out.print(out);
    }
  }

  /** Used heap after full collections, until three readings in a row agree within 64 KB. */
  private static long usedAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long[] readings = new long[12];
    for (int i = 0; i < readings.length; i++) {
      System.gc();
      Thread.sleep(150);
      readings[i] = memory.getHeapMemoryUsage().getUsed();
      if (i >= 2
          && Math.abs(readings[i] - readings[i - 1]) < 64 * 1024
          && Math.abs(readings[i - 1] - readings[i - 2]) < 64 * 1024) {
        return readings[i];
      }
    }
    return readings[readings.length - 1];
  }
}
