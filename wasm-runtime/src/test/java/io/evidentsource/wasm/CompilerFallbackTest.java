package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.selector.EventSelector;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A module Chicory's compiler rejects still publishes and runs, interpreted (docs/wasm-abi.md, ADR
 * 0005).
 */
class CompilerFallbackTest {
  @ParameterizedTest(name = "compiler throws {0}")
  @ValueSource(strings = {"IllegalStateException", "ClassFormatError"})
  void a_module_the_compiler_rejects_runs_interpreted(String failure) {
    var attempts = new AtomicInteger();
    var runtime =
        new ChicoryComponentRuntime(
            WasmLimits.defaults(),
            module -> {
              attempts.incrementAndGet();
              if (failure.equals("ClassFormatError")) {
                throw new ClassFormatError("Method too large: evolve");
              }
              throw new IllegalStateException("the compiler cannot handle this module");
            });
    try (var f = new Fixture(runtime)) {
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      f.append(event("a", "x"), event("b", "y"), event("c", "z"));

      var state = f.views.read(DB, "count", null, StateViewRead.latest(Map.of())).content();

      assertThat(new String(state, StandardCharsets.UTF_8)).isEqualTo("3");
      assertThat(
              runtime.isCompiled(f.catalog.describe(DB, ComponentKind.STATE_VIEW, "count", 1).id()))
          .isFalse();
      assertThat(attempts).hasValue(1); // compiled once at publish, not per call
    }
  }
}
