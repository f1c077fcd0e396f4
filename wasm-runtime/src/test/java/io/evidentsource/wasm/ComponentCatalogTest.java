package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.component.ComponentDefinition;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.selector.EventSelector;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The component catalog answers the same way for state views and state changes: one service keyed
 * by kind, with the kind's module, name rule and not-found error (run for each kind).
 */
class ComponentCatalogTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  /** One kind with a definition maker and two different modules of that kind. */
  @SuppressWarnings("ArrayRecordComponent") // a parameterized test's argument, never compared
  record Case<D extends ComponentDefinition>(
      ComponentKind<D> kind, Function<String, D> definition, byte[] first, byte[] second) {
    @Override
    public String toString() {
      return kind.label();
    }
  }

  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of(
            new Case<>(
                ComponentKind.STATE_VIEW,
                name -> Fixture.view(name, EventSelector.any()),
                Wat.countingView(),
                Wat.lastIdView())),
        Arguments.of(
            new Case<>(
                ComponentKind.STATE_CHANGE,
                name -> new StateChangeDefinition(name, "moves money"),
                Wat.fixedDecision("{\"events\":[]}"),
                Wat.fixedDecision("{\"rejection\":{\"code\":\"no\",\"message\":\"never\"}}"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  <D extends ComponentDefinition> void publishes_lists_and_describes_versions_of_each_name(
      Case<D> c) {
    var v1 = f.catalog.publish(DB, c.kind(), c.definition().apply("a"), c.first());
    var v2 = f.catalog.publish(DB, c.kind(), c.definition().apply("a"), c.second());
    var b1 = f.catalog.publish(DB, c.kind(), c.definition().apply("b"), c.first());

    assertThat(f.catalog.list(DB, c.kind()))
        .extracting(p -> p.id().name() + "@" + p.version())
        .containsExactly("a@1", "a@2", "b@1");
    assertThat(f.catalog.versions(DB, c.kind(), "a")).containsExactly(v1, v2);
    assertThat(f.catalog.describe(DB, c.kind(), "a", null)).isEqualTo(v2);
    assertThat(f.catalog.describe(DB, c.kind(), "a", 1)).isEqualTo(v1);
    assertThat(b1.definition()).isEqualTo(c.definition().apply("b"));
    assertThat(v2.kind()).isSameAs(c.kind());
    assertThat(f.runtime.isLoaded(v2.id())).as("loaded at publish").isTrue();
    // the other kind has nothing of that name
    var other =
        c.kind() == ComponentKind.STATE_VIEW
            ? ComponentKind.STATE_CHANGE
            : ComponentKind.STATE_VIEW;
    assertThat(f.catalog.list(DB, other)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  <D extends ComponentDefinition> void serves_each_version_s_module_byte_for_byte(Case<D> c) {
    f.catalog.publish(DB, c.kind(), c.definition().apply("m"), c.first());
    PublishedComponent<D> second =
        f.catalog.publish(DB, c.kind(), c.definition().apply("m"), c.second());
    assertThat(f.catalog.module(f.catalog.describe(DB, c.kind(), "m", 1))).isEqualTo(c.first());
    assertThat(f.catalog.module(second)).isEqualTo(c.second());
    assertThat(second.moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(c.second()));
    assertThat(second.moduleSize()).isEqualTo(c.second().length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  <D extends ComponentDefinition> void a_missing_name_or_version_is_the_kind_s_not_found(
      Case<D> c) {
    f.catalog.publish(DB, c.kind(), c.definition().apply("x"), c.first());
    var code = c.kind().notFoundCode();
    var field = c.kind().field();
    assertThatThrownBy(() -> f.catalog.describe(DB, c.kind(), "x", 2))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage())
                  .isEqualTo("database 'bank' has no " + c.kind().label() + " 'x' version 2");
              assertThat(e.fields())
                  .isEqualTo(Map.of("database", "bank", field, "x", "version", 2));
            });
    assertThatThrownBy(() -> f.catalog.versions(DB, c.kind(), "y"))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.fields()).isEqualTo(Map.of("database", "bank", field, "y"));
            });
    assertThatThrownBy(() -> f.catalog.list(DatabaseName.of("nope"), c.kind()))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  <D extends ComponentDefinition> void refuses_a_module_of_the_other_kind_and_keeps_nothing(
      Case<D> c) {
    byte[] wrong =
        c.kind() == ComponentKind.STATE_VIEW
            ? Wat.fixedDecision("{\"events\":[]}")
            : Wat.countingView();
    assertThatThrownBy(() -> f.catalog.publish(DB, c.kind(), c.definition().apply("w"), wrong))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_COMPONENT);
              assertThat(e.getMessage())
                  .contains("does not meet the " + c.kind().label() + " ABI")
                  .contains(c.kind().entryPoint());
            });
    assertThat(f.catalog.list(DB, c.kind())).isEmpty();
  }
}
