package io.evidentsource.core.selector;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the selector text parser (docs/reliability.md): any text either parses into a selector
 * within the limits whose printed form parses back to the same tree, or is refused with {@code
 * invalid_selector} or {@code selector_too_complex}; never another exception, never a stack
 * overflow. Regression inputs: {@code SelectorTextFuzzTestInputs/} beside this class's resources.
 */
class SelectorTextFuzzTest {
  private static final SelectorLimits LIMITS = new SelectorLimits(8, 64);

  @FuzzTest(maxDuration = "2m")
  void parses_or_refuses_with_a_selector_error(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    EventSelector selector;
    try {
      selector = SelectorText.parse(text, LIMITS);
    } catch (EvidentSourceException e) {
      assertThat(e.code()).isIn(ErrorCode.INVALID_SELECTOR, ErrorCode.SELECTOR_TOO_COMPLEX);
      return;
    }
    assertThat(LIMITS.check(selector)).isSameAs(selector);
    assertThat(SelectorText.parse(SelectorText.format(selector), LIMITS)).isEqualTo(selector);
  }
}
