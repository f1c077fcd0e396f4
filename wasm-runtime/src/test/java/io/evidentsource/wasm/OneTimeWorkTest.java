package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.ComponentRuntime;
import io.evidentsource.core.component.DecideMetadata;
import io.evidentsource.core.component.DecideResult;
import io.evidentsource.core.component.Provenance;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A module's one-time work on a server (compiling, instantiating, warming up) happens when it is
 * loaded and never counts against a call's deadline; JIT compilation during a call moves the
 * deadline out, up to the warm-up timeout. A freshly published Go view used to answer {@code
 * component_timeout} on its first reads while the JVM compiled it.
 */
class OneTimeWorkTest {
  /** A view whose state is how many times this instance's evolve ran. */
  static byte[] callCountingView() {
    return Wat.module(
        "",
        """
        (global $calls (mut i64) (i64.const 0))
        (func (export "evidentsource_evolve")
          (param $s i32) (param $sl i32) (param $e i32) (param $el i32)
          (param $p i32) (param $pl i32) (result i64)
          (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
          (call $itoa (global.get $calls)))
        """);
  }

  /**
   * A counting view that runs {@code onLargeInput} when handed 10,000 bytes of events or more (the
   * warm-up input is larger; the test events are far smaller).
   */
  static byte[] viewThatBalksAtLargeInput(String onLargeInput) {
    return Wat.view(
        "",
        "(if (i32.ge_u (local.get $el) (i32.const 10000)) (then "
            + onLargeInput
            + "))"
            + "(call $itoa (i64.add (call $atoi (local.get $s) (local.get $sl))"
            + " (call $count (local.get $e) (local.get $el) (i32.const 16) (i32.const 13))))");
  }

  /** A state change that reads view {@code balance} once through view_state and decides nothing. */
  static byte[] changeReadingBalance() {
    return Wat.change(
        "(import \"evidentsource\" \"view_state\" (func $vs (param i32 i32 i32 i32) (result i64)))"
            + "(data (i32.const 3000) \"balance\")(data (i32.const 3100) \"{\\\"events\\\":[]}\")",
        """
        (drop (call $vs (i32.const 3000) (i32.const 7) (i32.const 0) (i32.const 0)))
        (call $done (i32.const 3100) (i32.const 13))
        """);
  }

  static Command command() {
    return new Command("application/json", Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
  }

  static String read(Fixture f, String view) {
    return new String(
        f.views.read(DB, view, null, StateViewRead.latest(Map.of())).content(),
        StandardCharsets.UTF_8);
  }

  @Nested
  class Warm_up {
    @Test
    void publish_warms_a_module_up_on_an_instance_that_real_calls_never_see() {
      try (var f = new Fixture()) {
        var view = f.publishView(Fixture.view("calls", EventSelector.any()), callCountingView());
        var change =
            f.publishChange(
                new StateChangeDefinition("c", null), Wat.fixedDecision("{\"events\":[]}"));
        assertThat(f.runtime.warmUpCalls(view.id())).isEqualTo(3);
        assertThat(f.runtime.warmUpCalls(change.id())).isEqualTo(3);
        f.append(event("a", "x"));
        // the pooled instance starts fresh: its first evolve is the first real one
        assertThat(read(f, "calls")).isEqualTo("1");
        assertThat(f.runtime.instancesCreated(view.id())).isEqualTo(2);
      }
    }

    @Test
    void a_module_that_refuses_the_warm_up_input_still_publishes_and_runs() {
      try (var f = new Fixture()) {
        var view =
            f.publishView(
                Fixture.view("picky", EventSelector.any()),
                viewThatBalksAtLargeInput("(unreachable)"));
        assertThat(f.runtime.warmUpCalls(view.id())).isZero();
        f.append(event("a", "x"), event("b", "x"));
        assertThat(read(f, "picky")).isEqualTo("2");
      }
    }

    @Test
    void a_warm_up_that_does_not_end_stops_at_its_budget_and_the_module_still_runs() {
      var limits = WasmLimits.defaults().withWarmUpTimeout(Duration.ofMillis(300));
      try (var f = new Fixture(limits)) {
        var view =
            f.publishView(
                Fixture.view("stuck", EventSelector.any()),
                viewThatBalksAtLargeInput("(loop $forever (br $forever))"));
        assertThat(f.runtime.warmUpCalls(view.id())).isZero();
        f.append(event("a", "x"));
        assertThat(read(f, "stuck")).isEqualTo("1");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
      }
    }

    @Test
    void no_warm_up_when_turned_off_or_when_the_module_runs_interpreted() {
      for (var limits :
          new WasmLimits[] {
            WasmLimits.defaults().withWarmUpCalls(0), WasmLimits.defaults().withCompile(false)
          }) {
        try (var f = new Fixture(limits)) {
          var view = f.publishView(Fixture.view("calls", EventSelector.any()), callCountingView());
          assertThat(f.runtime.warmUpCalls(view.id())).isZero();
          assertThat(f.runtime.instancesCreated(view.id())).isEqualTo(1);
        }
      }
    }
  }

  @Nested
  class Deadline {
    @Test
    void compiling_a_view_that_a_decide_reads_does_not_count_against_the_decide_deadline() {
      var timeout = Duration.ofMillis(500);
      // this server's compiler takes five deadlines for a view: an interrupted compile would
      // fall back to the interpreter
      Function<WasmModule, Function<Instance, Machine>> slowForViews =
          module -> {
            if (exports(module, "evidentsource_evolve")) {
              try {
                Thread.sleep(timeout.multipliedBy(5).toMillis());
              } catch (InterruptedException e) {
                throw new IllegalStateException("compilation interrupted", e);
              }
            }
            return MachineFactoryCompiler.compile(module);
          };
      try (var publisher = new Fixture();
          var other =
              new Fixture(
                  publisher,
                  new ChicoryComponentRuntime(
                      WasmLimits.defaults().withCallTimeout(timeout), slowForViews, () -> 0))) {
        var view =
            publisher.publishView(Fixture.view("balance", EventSelector.any()), Wat.countingView());
        publisher.publishChange(new StateChangeDefinition("audit", null), changeReadingBalance());
        publisher.append(event("a", "x"));

        // the other server loads the change before the call, and the view inside decide
        var result = other.changes.execute(DB, "audit", null, command(), Provenance.http());

        assertThat(result.transaction()).isNull();
        assertThat(other.runtime.isLoaded(view.id())).isTrue();
        assertThat(other.runtime.isCompiled(view.id())).as("compiled, not interrupted").isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
      }
    }

    /** A decide whose view read takes {@code sleep} while the JVM reports {@code jit} of JIT. */
    private DecideResult decide(Duration timeout, Duration sleep, Duration jit) {
      return decide(WasmLimits.defaults().withCallTimeout(timeout), sleep, jit);
    }

    private DecideResult decide(WasmLimits limits, Duration sleep, Duration jit) {
      var jitMillis = new AtomicLong();
      try (var f =
          new Fixture(
              new ChicoryComponentRuntime(
                  limits, MachineFactoryCompiler::compile, jitMillis::get))) {
        var id =
            f.publishChange(new StateChangeDefinition("audit", null), changeReadingBalance()).id();
        ComponentRuntime.ViewReader slowRead =
            (name, params) -> {
              jitMillis.addAndGet(jit.toMillis());
              try {
                Thread.sleep(sleep.toMillis());
              } catch (InterruptedException e) {
                throw new IllegalStateException("view read interrupted", e);
              }
              return WarmUp.views().read(name, params);
            };
        return f.runtime.decide(id, command(), metadata(), slowRead);
      }
    }

    private static DecideMetadata metadata() {
      var t = Instant.parse("2026-01-01T00:00:00Z");
      return new DecideMetadata(DB, 0, t, t, null, "test", null);
    }

    @Test
    void jit_compilation_during_a_call_moves_its_deadline_out() {
      // 3 s of a 2 s deadline pass while the JVM reports 2 s of compiling: due at 4 s
      var result = decide(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(2));
      assertThat(result).isInstanceOf(DecideResult.Decision.class);
    }

    @Test
    void without_jit_compilation_the_same_call_misses_its_deadline() {
      assertThatThrownBy(() -> decide(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ZERO))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.COMPONENT_TIMEOUT);
                assertThat(e.getMessage()).contains("did not finish within 2000 ms");
              });
    }

    @Test
    void the_jit_extension_is_at_most_the_warm_up_timeout() {
      // 100 s of compiling reported: the 1 s deadline still ends at 1 + 1 s, before the 4 s read
      var limits =
          WasmLimits.defaults()
              .withCallTimeout(Duration.ofSeconds(1))
              .withWarmUpTimeout(Duration.ofSeconds(1));
      assertThatThrownBy(() -> decide(limits, Duration.ofSeconds(4), Duration.ofSeconds(100)))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.COMPONENT_TIMEOUT));
    }
  }

  private static boolean exports(WasmModule module, String name) {
    var exports = module.exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      if (exports.getExport(i).name().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
