package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InstancePoolTest {
  private final Fixture f = new Fixture(WasmLimits.defaults().withEvolveBatchEvents(1));

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void sequential_calls_reuse_one_instance_and_evolve_is_called_per_batch() {
    f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
    for (int i = 0; i < 20; i++) {
      f.append(event("e" + i, "s"));
      f.views.read(DB, "count", null, StateViewRead.latest(Map.of()));
    }
    // 20 events in batches of one: every fold call went through the single pooled instance (the
    // other instance created ran the warm-up at publish and was dropped)
    assertThat(f.views.foldFromScratch(DB, "count", null, StateViewRead.latest(Map.of())))
        .asString()
        .isEqualTo("20");
    var id = f.catalog.describe(DB, ComponentKind.STATE_VIEW, "count", 1).id();
    assertThat(f.runtime.instancesCreated(id)).isEqualTo(2);
    assertThat(f.runtime.idleInstances(id)).isEqualTo(1);
    assertThat(f.runtime.idleMemoryBytes(id)).isEqualTo(2L * WasmLimits.PAGE_BYTES);
  }

  @Test
  void batches_are_cut_by_bytes_without_losing_or_repeating_an_event() {
    var d = WasmLimits.defaults();
    var small =
        new Fixture(
            new WasmLimits(
                d.maxModuleBytes(),
                d.maxMemoryBytes(),
                d.callTimeout(),
                d.maxOutputBytes(),
                1000,
                300,
                d.maxViewReads(),
                d.poolSize(),
                true,
                d.warmUpTimeout(),
                d.warmUpCalls()));
    try {
      small.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      for (int i = 0; i < 37; i++) {
        small.append(event("e" + i, "subject-" + "x".repeat(i * 7)));
      }
      // events of ~100 to ~350 bytes against a 300-byte batch: one to three events per call
      assertThat(small.views.read(DB, "count", null, StateViewRead.latest(Map.of())).content())
          .asString()
          .isEqualTo("37");
    } finally {
      small.close();
    }
  }

  @Test
  void an_instance_whose_call_failed_is_discarded() {
    // traps on the second event it sees: the guest's state is suspect afterwards
    f.publishView(
        Fixture.view("fragile", EventSelector.any()),
        Wat.view(
            "",
            "(if (i32.gt_u (local.get $sl) (i32.const 0)) (then (unreachable)))"
                + "(call $itoa (i64.const 1))"));
    f.append(event("1", "s"), event("2", "s"));
    var id = f.catalog.describe(DB, ComponentKind.STATE_VIEW, "fragile", 1).id();
    assertThatThrownBy(() -> f.views.read(DB, "fragile", null, StateViewRead.latest(Map.of())))
        .isInstanceOf(EvidentSourceException.class);
    assertThat(f.runtime.idleInstances(id)).isZero();
    assertThatThrownBy(() -> f.views.read(DB, "fragile", null, StateViewRead.latest(Map.of())))
        .isInstanceOf(EvidentSourceException.class);
    // the warm-up's and the pooled one at publish, then a new one for the second read
    assertThat(f.runtime.instancesCreated(id)).isEqualTo(3);
  }
}
