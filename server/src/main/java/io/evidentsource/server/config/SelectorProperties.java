package io.evidentsource.server.config;

import io.evidentsource.core.selector.SelectorLimits;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How complex an event selector may be, bound from {@code evidentsource.selector.*}
 * (docs/limits.md). A selector beyond either limit, in any form (REST {@code q} and simple filters,
 * JSON selectors of queries and conditions, gRPC selectors, a state view's {@code event_selector}),
 * is refused with 422 {@code selector_too_complex} / INVALID_ARGUMENT naming the limit.
 *
 * @param maxDepth deepest nesting of {@code and}/{@code or} (and, in the textual form, of
 *     parentheses), 1 to 1,000
 * @param maxTerms most terms ({@code any}, {@code equals}, {@code starts_with}) in one selector
 */
@ConfigurationProperties("evidentsource.selector")
record SelectorProperties(
    @DefaultValue("" + SelectorLimits.DEFAULT_MAX_DEPTH) int maxDepth,
    @DefaultValue("" + SelectorLimits.DEFAULT_MAX_TERMS) int maxTerms) {

  SelectorProperties {
    try {
      new SelectorLimits(maxDepth, maxTerms);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("evidentsource.selector: " + e.getMessage(), e);
    }
  }

  SelectorLimits limits() {
    return new SelectorLimits(maxDepth, maxTerms);
  }
}
