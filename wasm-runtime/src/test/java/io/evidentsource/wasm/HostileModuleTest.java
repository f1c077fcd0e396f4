package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Hostile guests: each fails its own call with a precise code, and a well-behaved view keeps
 * answering, during the hostile call and after it.
 */
class HostileModuleTest {
  /**
   * Looping guests loop on the warm-up input too: a short warm-up budget keeps publishing quick.
   */
  private static final Duration WARM_UP = Duration.ofSeconds(2);

  private final Fixture f =
      new Fixture(
          WasmLimits.defaults()
              .withCallTimeout(Duration.ofMillis(500))
              .withWarmUpTimeout(WARM_UP)
              .withMaxMemoryBytes(4L << 20)
              .withMaxOutputBytes(1 << 20));

  @BeforeEach
  void goodView() {
    f.publishView(Fixture.view("good", EventSelector.any()), Wat.countingView());
    f.append(event("1", "s"), event("2", "s"));
  }

  @AfterEach
  void close() {
    f.close();
  }

  private void goodViewStillAnswers() {
    var r = f.views.read(DB, "good", null, StateViewRead.latest(Map.of()));
    assertThat(new String(r.content(), StandardCharsets.UTF_8)).isEqualTo("2");
  }

  private String hostile(byte[] module) {
    f.publishView(Fixture.view("bad", EventSelector.any()), module);
    return "bad";
  }

  private void failsWith(ThrowingCallable call, ErrorCode code, String messagePart) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(messagePart);
            });
  }

  private ThrowingCallable readBad() {
    return () -> f.views.read(DB, "bad", null, StateViewRead.latest(Map.of()));
  }

  @Nested
  class At_run_time {
    @Test
    void an_infinite_loop_hits_the_deadline_while_other_calls_carry_on() throws Exception {
      hostile(Wat.view("", "(loop $forever (br $forever)) (i64.const 0)"));
      var pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> looping =
            pool.submit(
                (Callable<Object>)
                    () -> {
                      f.views.read(DB, "bad", null, StateViewRead.latest(Map.of()));
                      return null;
                    });
        var answers = new ArrayList<Future<?>>();
        for (int i = 0; i < 20; i++) {
          answers.add(pool.submit(HostileModuleTest.this::goodViewStillAnswers));
        }
        for (var a : answers) {
          a.get();
        }
        failsWith(
            () -> {
              try {
                looping.get();
              } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause();
              }
            },
            ErrorCode.COMPONENT_TIMEOUT,
            "did not finish within 500 ms");
      } finally {
        pool.shutdownNow();
      }
      // the interrupted thread is usable again, and so is the runtime
      goodViewStillAnswers();
      failsWith(readBad(), ErrorCode.COMPONENT_TIMEOUT, "500 ms");
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void an_infinite_loop_is_interrupted_when_interpreted_too() {
      var interpreted =
          new Fixture(
              WasmLimits.defaults()
                  .withCallTimeout(Duration.ofMillis(300))
                  .withWarmUpTimeout(WARM_UP)
                  .withCompile(false));
      try {
        interpreted.publishView(
            Fixture.view("bad", EventSelector.any()),
            Wat.view("", "(loop $forever (br $forever)) (i64.const 0)"));
        interpreted.append(event("x", "s"));
        failsWith(
            () -> interpreted.views.read(DB, "bad", null, StateViewRead.latest(Map.of())),
            ErrorCode.COMPONENT_TIMEOUT,
            "did not finish within 300 ms");
        assertThat(
                interpreted.runtime.isCompiled(
                    interpreted.catalog.describe(DB, ComponentKind.STATE_VIEW, "bad", 1).id()))
            .isFalse();
      } finally {
        interpreted.close();
      }
    }

    @Test
    void unbounded_memory_growth_stops_at_the_memory_cap() {
      // grows one page at a time until refused, then reports how far it got
      hostile(
          Wat.view(
              "(import \"evidentsource\" \"error\" (func $error (param i32 i32)))",
              """
              (block $refused (loop $grow
                (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
                (br $grow)))
              (i32.store8 (i32.const 2000) (i32.add (i32.const 48)
                 (i32.div_u (memory.size) (i32.const 10))))
              (i32.store8 (i32.const 2001) (i32.add (i32.const 48)
                 (i32.rem_u (memory.size) (i32.const 10))))
              (call $error (i32.const 2000) (i32.const 2))
              (i64.const -1)
              """));
      // 4 MiB = 64 pages
      failsWith(readBad(), ErrorCode.COMPONENT_FAILED, "failed: 64");
      goodViewStillAnswers();
    }

    @Test
    void a_trap_fails_the_call_with_the_runtime_message() {
      hostile(Wat.view("", "(unreachable)"));
      failsWith(readBad(), ErrorCode.COMPONENT_FAILED, "unreachable");
      goodViewStillAnswers();
    }

    @Test
    void a_negative_result_reports_the_message_given_to_error() {
      hostile(
          Wat.view(
              "(import \"evidentsource\" \"error\" (func $error (param i32 i32)))",
              "(call $error (i32.const 16) (i32.const 13)) (i64.const -1)"));
      failsWith(readBad(), ErrorCode.COMPONENT_FAILED, "\"specversion\"");
      goodViewStillAnswers();
    }

    @Test
    void a_giant_output_is_refused_before_it_is_read() {
      hostile(Wat.view("", "(call $done (i32.const 0) (i32.const 2147483647))"));
      failsWith(readBad(), ErrorCode.COMPONENT_LIMIT_EXCEEDED, "above the output limit of 1048576");
      goodViewStillAnswers();
    }

    @Test
    void an_output_outside_memory_is_a_component_failure() {
      hostile(Wat.view("", "(call $done (i32.const 131000) (i32.const 1000))"));
      failsWith(readBad(), ErrorCode.COMPONENT_FAILED, "outside the guest's memory");
      goodViewStillAnswers();
    }

    @Test
    void unbounded_recursion_fails_the_call() {
      hostile(
          Wat.module(
              "",
              """
              (func $deeper (param i32) (result i32)
                (call $deeper (i32.add (local.get 0) (i32.const 1))))
              (func (export "evidentsource_evolve") (param i32 i32 i32 i32 i32 i32) (result i64)
                (i64.extend_i32_u (call $deeper (i32.const 0))))
              """));
      assertThatThrownBy(readBad())
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.COMPONENT_FAILED));
      goodViewStillAnswers();
    }

    @Test
    void a_view_may_not_call_view_state() {
      hostile(
          Wat.view(
              "(import \"evidentsource\" \"view_state\" (func $vs (param i32 i32 i32 i32) (result"
                  + " i64)))",
              "(call $vs (i32.const 16) (i32.const 4) (i32.const 0) (i32.const 0))"));
      failsWith(readBad(), ErrorCode.COMPONENT_FAILED, "view_state is only available to");
      goodViewStillAnswers();
    }

    @Test
    void a_decide_calling_view_state_without_end_is_stopped_by_the_read_limit() {
      var change =
          Wat.change(
              "(import \"evidentsource\" \"view_state\" (func $vs (param i32 i32 i32 i32) (result"
                  + " i64)))(data (i32.const 3000) \"good\")",
              """
              (loop $again
                (drop (call $vs (i32.const 3000) (i32.const 4) (i32.const 0) (i32.const 0)))
                (br $again))
              (i64.const 0)
              """);
      f.publishChange(new StateChangeDefinition("greedy", null), change);
      failsWith(
          () ->
              f.changes.execute(
                  DB,
                  "greedy",
                  null,
                  new Command("application/json", Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                  Provenance.http()),
          ErrorCode.COMPONENT_LIMIT_EXCEEDED,
          "view_state more than 64 times");
      goodViewStillAnswers();
    }
  }

  @Nested
  class At_publish_time {
    @Test
    void missing_exports_are_each_named() {
      failsWith(
          () -> hostile(Wat.compile("(module (memory 1))")),
          ErrorCode.INVALID_COMPONENT,
          "missing export 'memory'");
      failsWith(
          () -> hostile(Wat.compile("(module (memory (export \"memory\") 1))")),
          ErrorCode.INVALID_COMPONENT,
          "missing export 'evidentsource_evolve'");
      failsWith(
          () -> hostile(Wat.compile("(module (memory (export \"memory\") 1))")),
          ErrorCode.INVALID_COMPONENT,
          "missing export 'evidentsource_alloc'");
      assertThat(f.catalog.list(DB, ComponentKind.STATE_VIEW))
          .extracting(v -> v.id().name())
          .containsExactly("good");
      goodViewStillAnswers();
    }

    @Test
    void an_export_with_the_wrong_signature_is_named() {
      failsWith(
          () ->
              hostile(
                  Wat.module(
                      "",
                      "(func (export \"evidentsource_evolve\") (param i32) (result i32) (local.get"
                          + " 0))")),
          ErrorCode.INVALID_COMPONENT,
          "export 'evidentsource_evolve' has type");
    }

    @Test
    void a_state_change_needs_decide_not_evolve() {
      failsWith(
          () -> f.publishChange(new StateChangeDefinition("c", null), Wat.countingView()),
          ErrorCode.INVALID_COMPONENT,
          "missing export 'evidentsource_decide'");
    }

    @Test
    void forbidden_imports_are_each_named() {
      failsWith(
          () ->
              hostile(
                  Wat.view(
"""
(import "env" "fetch" (func (param i32) (result i32)))
(import "wasi_snapshot_preview1" "sock_connect" (func (param i32) (result i32)))
(import "evidentsource" "spawn" (func))
""",
                      "(i64.const 0)")),
          ErrorCode.INVALID_COMPONENT,
          "'env.fetch' is forbidden");
      failsWith(
          () ->
              hostile(
                  Wat.view(
                      "(import \"wasi_snapshot_preview1\" \"sock_connect\" (func (param i32)"
                          + " (result i32)))",
                      "(i64.const 0)")),
          ErrorCode.INVALID_COMPONENT,
          "'wasi_snapshot_preview1.sock_connect' is not a WASI");
      failsWith(
          () -> hostile(Wat.view("(import \"evidentsource\" \"spawn\" (func))", "(i64.const 0)")),
          ErrorCode.INVALID_COMPONENT,
          "'evidentsource.spawn' is not a host function");
      goodViewStillAnswers();
    }

    @Test
    void a_module_over_the_size_limit_is_refused() {
      var small = new Fixture(WasmLimits.defaults().withMaxModuleBytes(100));
      try {
        assertThatThrownBy(
                () ->
                    small.publishView(Fixture.view("big", EventSelector.any()), Wat.countingView()))
            .isInstanceOfSatisfying(
                EvidentSourceException.class,
                e -> {
                  assertThat(e.code()).isEqualTo(ErrorCode.COMPONENT_TOO_LARGE);
                  assertThat(e.fields()).containsEntry("limit", 100);
                });
      } finally {
        small.close();
      }
    }

    @Test
    void bytes_that_are_not_webassembly_are_refused() {
      failsWith(
          () -> hostile("(module (memory 1))".getBytes(StandardCharsets.UTF_8)),
          ErrorCode.INVALID_COMPONENT,
          "not a WebAssembly binary: it does not start with the magic bytes \\0asm");
    }

    @Test
    void a_truncated_webassembly_binary_is_refused_with_the_parsers_reason() {
      byte[] truncated = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1};
      failsWith(() -> hostile(truncated), ErrorCode.INVALID_COMPONENT, "not valid WebAssembly");
    }

    @Test
    void an_initializer_that_traps_is_refused_at_publish() {
      failsWith(
          () ->
              hostile(
                  Wat.module(
                      "",
"""
(func (export "_initialize") (unreachable))
(func (export "evidentsource_evolve") (param i32 i32 i32 i32 i32 i32) (result i64)
  (i64.const 0))
""")),
          ErrorCode.INVALID_COMPONENT,
          "cannot be instantiated");
    }
  }
}
