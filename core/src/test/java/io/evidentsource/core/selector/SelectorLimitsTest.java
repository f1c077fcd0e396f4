package io.evidentsource.core.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class SelectorLimitsTest {
  private final SelectorLimits limits = new SelectorLimits(4, 5);

  @Test
  void counts_levels_and_terms() {
    var ok =
        SelectorText.parse("(stream = '1' OR subject = '2') AND (type = 't' OR tag = 'x')", limits);
    assertThat(limits.check(ok)).isSameAs(ok);
  }

  @Test
  void refuses_a_tree_deeper_than_the_limit_naming_it() {
    EventSelector s = EventSelector.any();
    for (int i = 0; i < 4; i++) {
      s = EventSelector.and(s);
    }
    EventSelector deep = s;
    assertThatThrownBy(() -> limits.check(deep))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.SELECTOR_TOO_COMPLEX);
              assertThat(e.fields())
                  .containsEntry("limit", 4)
                  .containsEntry("actual", 5)
                  .containsEntry("limit_name", "evidentsource.selector.max-depth");
            });
  }

  @Test
  void refuses_more_terms_than_the_limit_with_the_exact_count() {
    var parts = new ArrayList<EventSelector>();
    for (int i = 0; i < 9; i++) {
      parts.add(EventSelector.subject("s" + i));
    }
    assertThatThrownBy(() -> limits.check(new EventSelector.Or(parts)))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e ->
                assertThat(e.fields())
                    .containsEntry("actual", 9)
                    .containsEntry("limit_name", "evidentsource.selector.max-terms"));
  }

  @Test
  void stops_the_text_parser_at_the_depth_limit_before_the_stack_runs_out() {
    String text = "(".repeat(100_000) + "ANY" + ")".repeat(100_000);
    assertThatThrownBy(() -> SelectorText.parse(text))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.SELECTOR_TOO_COMPLEX);
              assertThat(e.fields()).containsEntry("limit", 32).containsEntry("position", 33);
            });
  }

  @Test
  void quotes_at_most_200_characters_of_a_bad_selector() {
    String text = "x".repeat(10_000);
    assertThatThrownBy(() -> SelectorText.parse(text))
        .isInstanceOf(SelectorSyntaxException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(600).contains("10000 chars"));
  }

  @Test
  void checks_its_own_range() {
    assertThatThrownBy(() -> new SelectorLimits(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SelectorLimits(1001, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SelectorLimits(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
