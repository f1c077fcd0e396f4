package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.Provenance;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The server-wide budget of guest memory and the limits of guest logging (issue 18), with guests
 * written in WebAssembly text and compiled at test time. Asserted on the runtime's counts (memory
 * held, idle instances, dropped lines), never on timing or the heap.
 */
class GuestResourceLimitsTest {
  static final int PAGE = WasmLimits.PAGE_BYTES;

  /** A view whose evolve grows its memory by 100 pages (6.25 MiB) the first time it runs. */
  static byte[] growingView() {
    return Wat.view(
        "",
        """
        (if (i32.lt_u (memory.size) (i32.const 100))
          (then (drop (memory.grow (i32.const 100)))))
        (call $itoa (i64.const 1))
        """);
  }

  /** A state change that grows its memory by 100 pages, then reads view {@code big}. */
  static byte[] growingChangeReadingBig() {
    return Wat.change(
        "(import \"evidentsource\" \"view_state\" (func $vs (param i32 i32 i32 i32) (result i64)))"
            + "(data (i32.const 3000) \"big\")(data (i32.const 3100) \"{\\\"events\\\":[]}\")",
        """
        (if (i32.lt_u (memory.size) (i32.const 100))
          (then (drop (memory.grow (i32.const 100)))))
        (drop (call $vs (i32.const 3000) (i32.const 3) (i32.const 0) (i32.const 0)))
        (call $done (i32.const 3100) (i32.const 13))
        """);
  }

  /** A view whose evolve logs {@code lines} lines of 100 bytes at WARNING. */
  static byte[] chattyView(int lines) {
    return Wat.view(
        "(import \"evidentsource\" \"log\" (func $log (param i32 i32 i32)))"
            + "(data (i32.const 3000) \""
            + "x".repeat(100)
            + "\")",
        """
        (local $i i32)
        (loop $next
          (call $log (i32.const 3) (i32.const 3000) (i32.const 100))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (i32.const LINES))))
        (call $itoa (i64.const 1))
        """
            .replace("LINES", Integer.toString(lines)));
  }

  static String read(Fixture f, String view) {
    return new String(
        f.views.read(DB, view, null, StateViewRead.latest(Map.of())).content(),
        StandardCharsets.UTF_8);
  }

  @Nested
  class Memory_budget {
    // 160 pages (10 MiB): one grown instance (102 pages) fits, two do not
    private final Fixture f =
        new Fixture(WasmLimits.defaults().withMaxTotalMemoryBytes(160L * PAGE).withWarmUpCalls(0));

    @AfterEach
    void close() {
      f.close();
    }

    long idleBytes() {
      long bytes = 0;
      for (var kind : java.util.List.of(ComponentKind.STATE_VIEW, ComponentKind.STATE_CHANGE)) {
        for (var c : f.catalog.list(DB, kind)) {
          bytes += f.runtime.idleMemoryBytes(c.id());
        }
      }
      return bytes;
    }

    @Test
    void idle_instances_of_other_versions_make_room_before_a_call_is_refused() {
      f.publishView(Fixture.view("big", EventSelector.any()), growingView());
      f.publishView(Fixture.view("other", EventSelector.any()), growingView());
      f.append(event("1", "s"));
      assertThat(read(f, "big")).isEqualTo("1");
      var big = f.catalog.describe(DB, ComponentKind.STATE_VIEW, "big", 1).id();
      assertThat(f.runtime.idleMemoryBytes(big)).isEqualTo(102L * PAGE);

      // other's instance needs 100 more pages: big's idle instance is released to make room
      assertThat(read(f, "other")).isEqualTo("1");

      assertThat(f.runtime.idleInstances(big)).isZero();
      assertThat(f.runtime.memoryInUseBytes()).isLessThanOrEqualTo(160L * PAGE);
      assertThat(f.runtime.memoryInUseBytes()).isEqualTo(idleBytes());
    }

    @Test
    void a_call_that_would_pass_the_budget_while_others_hold_it_is_refused_naming_the_limit() {
      f.publishView(Fixture.view("big", EventSelector.any()), growingView());
      f.publishChange(new StateChangeDefinition("hungry", null), growingChangeReadingBig());
      f.append(event("1", "s"));

      // the change holds 102 pages while the view it reads needs 102 more
      assertThatThrownBy(
              () ->
                  f.changes.execute(
                      DB,
                      "hungry",
                      null,
                      new Command(
                          "application/json", Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                      Provenance.http()))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.COMPONENT_MEMORY_BUSY);
                assertThat(e.code().retriable()).isTrue();
                assertThat(e.fields())
                    .containsEntry("limit", 160L * PAGE)
                    .containsEntry("limit_name", "evidentsource.wasm.max-total-memory-bytes");
                assertThat(e.getMessage()).contains("evidentsource.wasm.max-total-memory-bytes");
              });

      // both instances of the failed call were dropped and gave their memory back
      assertThat(f.runtime.memoryInUseBytes()).isEqualTo(idleBytes());
      assertThat(f.runtime.memoryInUseBytes()).isLessThan(102L * PAGE);
      // and the view alone still fits
      assertThat(read(f, "big")).isEqualTo("1");
    }

    @Test
    void deleting_the_database_gives_all_its_memory_back() {
      f.publishView(Fixture.view("big", EventSelector.any()), growingView());
      f.append(event("1", "s"));
      assertThat(read(f, "big")).isEqualTo("1");
      assertThat(f.runtime.memoryInUseBytes()).isEqualTo(102L * PAGE);

      f.store.deleteDatabase(DB);
      f.catalog.forget(DB);

      assertThat(f.runtime.memoryInUseBytes()).isZero();
    }
  }

  @Nested
  class Guest_logging {
    private final AtomicLong nanos = new AtomicLong(1);

    private Fixture fixture(int bytesPerCall, int linesPerSecond) {
      return new Fixture(
          new ChicoryComponentRuntime(
              WasmLimits.defaults()
                  .withWarmUpCalls(0)
                  .withLogLimits(bytesPerCall, linesPerSecond)
                  .withPoolIdleTimeout(Duration.ofHours(1)),
              MachineFactoryCompiler::compile,
              () -> 0,
              nanos::get));
    }

    @Test
    void stops_at_the_bytes_per_call_and_counts_the_rest() {
      try (var f = fixture(1000, 1_000_000)) {
        f.publishView(Fixture.view("chatty", EventSelector.any()), chattyView(1000));
        f.append(event("1", "s"));
        assertThat(read(f, "chatty")).isEqualTo("1");
        var id = f.catalog.describe(DB, ComponentKind.STATE_VIEW, "chatty", 1).id();
        // 10 lines of 100 bytes fill the 1,000 bytes of the call
        assertThat(f.runtime.droppedLogLines(id)).isEqualTo(990);
      }
    }

    @Test
    void stops_at_the_lines_per_second_of_a_version_across_calls() {
      try (var f = fixture(1 << 20, 5)) {
        f.publishView(Fixture.view("chatty", EventSelector.any()), chattyView(100));
        var id = f.catalog.describe(DB, ComponentKind.STATE_VIEW, "chatty", 1).id();
        f.append(event("1", "s"));
        assertThat(read(f, "chatty")).isEqualTo("1");
        assertThat(f.runtime.droppedLogLines(id)).isEqualTo(95);

        f.append(event("2", "s")); // the same second: nothing left
        assertThat(read(f, "chatty")).isEqualTo("1");
        assertThat(f.runtime.droppedLogLines(id)).isEqualTo(195);

        nanos.addAndGet(Duration.ofSeconds(1).toNanos()); // a second later: 5 lines again
        f.append(event("3", "s"));
        assertThat(read(f, "chatty")).isEqualTo("1");
        assertThat(f.runtime.droppedLogLines(id)).isEqualTo(290);
      }
    }
  }
}
