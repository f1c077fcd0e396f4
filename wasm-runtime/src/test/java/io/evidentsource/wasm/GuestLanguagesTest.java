package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.selector.EventSelector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The counting view of every guest language (guests/), built from source at test time, against its
 * Java twin: the same count after each of several appends, with evolve batches of 50 events,
 * compiled and interpreted.
 */
class GuestLanguagesTest {
  private Fixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  static Stream<Arguments> counters() {
    Supplier<byte[]> wat =
        () -> {
          try {
            return Wat2Wasm.parse(Files.readString(Toolchains.GUESTS.resolve("wat/counter.wat")));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        };
    Supplier<byte[]> as = () -> Toolchains.assemblyScript("counter.ts");
    Supplier<byte[]> go = () -> Toolchains.go("counter");
    Supplier<byte[]> c = () -> Toolchains.c("counter.c");
    var args = new ArrayList<Arguments>();
    for (boolean compiled : new boolean[] {true, false}) {
      args.add(Arguments.of("WAT", wat, "%d", compiled));
      args.add(Arguments.of("AssemblyScript", as, "{\"count\":%d}", compiled));
      args.add(Arguments.of("C", c, "{\"count\":%d}", compiled));
      if (compiled) {
        args.add(
            Arguments.of("Go", go, "{\"count\":%d}", true)); // Go's runtime is slow to interpret
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0}, compiled={3}")
  @MethodSource("counters")
  void the_counting_view_agrees_with_its_java_twin(
      String language, Supplier<byte[]> module, String format, boolean compiled) {
    f = new Fixture(WasmLimits.defaults().withEvolveBatchEvents(50).withCompile(compiled));
    f.publishView(Fixture.view("count", EventSelector.any()), module.get());
    assertThat(
            f.runtime.isCompiled(f.catalog.describe(DB, ComponentKind.STATE_VIEW, "count", 1).id()))
        .isEqualTo(compiled);
    long javaTwin = 0;
    int id = 0;
    for (int round = 0; round < 5; round++) {
      var batch = new ArrayList<Event>();
      for (int i = 0; i < 25; i++) {
        // data with braces, brackets and quotes that a sloppy counter would miscount
        batch.add(
            Event.builder()
                .id("e" + id++)
                .source("test")
                .type("t")
                .jsonData("{\"text\":\"{[\\\"}\",\"nested\":[{\"a\":1},{\"b\":[2]}]}")
                .build());
      }
      f.store.transact(DB, io.evidentsource.core.command.Transaction.of(batch));
      javaTwin += batch.size();
      var state = f.views.read(DB, "count", null, StateViewRead.latest(Map.of()));
      assertThat(new String(state.content(), StandardCharsets.UTF_8))
          .as("%s after round %d", language, round)
          .isEqualTo(String.format(format, javaTwin));
      assertThat(f.views.foldFromScratch(DB, "count", null, StateViewRead.latest(Map.of())))
          .isEqualTo(state.content());
    }
  }
}
