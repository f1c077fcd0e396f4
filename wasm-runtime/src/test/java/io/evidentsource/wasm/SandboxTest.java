package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.selector.EventSelector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The WASI a guest sees: a fixed clock, seeded randomness, no preopened files. */
class SandboxTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  /** State: 8 bytes clock, 8 bytes random, 4 bytes errno of fd_prestat_get(3). */
  private static byte[] probe() {
    return Wat.view(
        """
        (import "wasi_snapshot_preview1" "clock_time_get"
          (func $clock (param i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_prestat_get"
          (func $prestat (param i32 i32) (result i32)))
        """,
        """
        (drop (call $clock (i32.const 0) (i64.const 0) (i32.const 2000)))
        (drop (call $random (i32.const 2008) (i32.const 8)))
        (i32.store (i32.const 2016) (call $prestat (i32.const 3) (i32.const 2100)))
        (call $done (i32.const 2000) (i32.const 20))
        """);
  }

  @Test
  void the_clock_reads_the_basis_time_randomness_is_seeded_and_there_are_no_files() {
    f.publishView(
        new io.evidentsource.core.component.StateViewDefinition(
            "probe",
            null,
            "application/octet-stream",
            null,
            EventSelector.any(),
            io.evidentsource.core.component.QueryTemporality.REVISION),
        probe());
    f.append(event("1", "s"));
    f.append(event("2", "s"));
    var read = StateViewRead.latest(Map.of());
    var state =
        ByteBuffer.wrap(f.views.read(DB, "probe", null, read).content())
            .order(ByteOrder.LITTLE_ENDIAN);
    var recorded = f.store.event(DB, 2).recordedTime();
    long nanos = state.getLong(0);
    assertThat(nanos).isEqualTo(recorded.getEpochSecond() * 1_000_000_000L + recorded.getNano());
    assertThat(state.getInt(16)).as("fd_prestat_get(3) errno: no preopened directory").isNotZero();
    // a replay, on another instance of another runtime, sees the same clock and random bytes
    var again = new Fixture();
    try {
      assertThat(f.views.foldFromScratch(DB, "probe", null, read))
          .isEqualTo(f.views.read(DB, "probe", null, read).content());
      again.publishView(
          new io.evidentsource.core.component.StateViewDefinition(
              "probe",
              null,
              "application/octet-stream",
              null,
              EventSelector.any(),
              io.evidentsource.core.component.QueryTemporality.REVISION),
          probe());
      var runtime = again.runtime;
      var id = again.catalog.describe(DB, ComponentKind.STATE_VIEW, "probe", 1).id();
      var events = java.util.List.of(f.store.event(DB, 1), f.store.event(DB, 2));
      assertThat(runtime.evolve(id, new byte[0], events, Map.of(), recorded))
          .isEqualTo(f.views.foldFromScratch(DB, "probe", null, read));
    } finally {
      again.close();
    }
  }
}
