package io.evidentsource.core.selector;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;

/**
 * How complex one event selector may be (docs/limits.md): its nesting depth and its number of
 * terms. Both bound the work a query, a condition or a live tail costs before any event is read,
 * and the depth also bounds the recursion of everything that walks a selector (parsers, the index,
 * JSON output), so a hostile selector fails with {@link ErrorCode#SELECTOR_TOO_COMPLEX} instead of
 * a stack overflow.
 *
 * <p>Depth counts levels: a single term ({@code ANY}, {@code stream = 'a'}, {@code subject LIKE
 * 'x%'}) is 1, an {@code and}/{@code or} is one more than its deepest part. In the textual form
 * each pair of parentheses also counts as a level while parsing, even when it adds no node. Terms
 * are the leaves: {@code any}, {@code equals} and {@code starts_with} selectors.
 *
 * @param maxDepth the deepest nesting allowed, 1 to {@value #HARD_MAX_DEPTH}
 * @param maxTerms the most terms allowed, at least 1
 */
public record SelectorLimits(int maxDepth, int maxTerms) {
  /** Default {@link #maxDepth()}: far deeper than any DCB query or hand-written selector. */
  public static final int DEFAULT_MAX_DEPTH = 32;

  /** Default {@link #maxTerms()}. */
  public static final int DEFAULT_MAX_TERMS = 1024;

  /**
   * Upper bound of {@link #maxDepth()}: the parsers and the index walk selectors recursively, and a
   * thousand levels stay well inside a request thread's stack.
   */
  public static final int HARD_MAX_DEPTH = 1000;

  /** The server property that sets {@link #maxDepth()}, named in errors. */
  public static final String MAX_DEPTH_PROPERTY = "evidentsource.selector.max-depth";

  /** The server property that sets {@link #maxTerms()}, named in errors. */
  public static final String MAX_TERMS_PROPERTY = "evidentsource.selector.max-terms";

  public SelectorLimits {
    if (maxDepth < 1 || maxDepth > HARD_MAX_DEPTH) {
      throw new IllegalArgumentException(
          "maxDepth must be in 1.." + HARD_MAX_DEPTH + ", was " + maxDepth);
    }
    if (maxTerms < 1) {
      throw new IllegalArgumentException("maxTerms must be >= 1, was " + maxTerms);
    }
  }

  /** The defaults: depth {@value #DEFAULT_MAX_DEPTH}, {@value #DEFAULT_MAX_TERMS} terms. */
  public static SelectorLimits defaults() {
    return new SelectorLimits(DEFAULT_MAX_DEPTH, DEFAULT_MAX_TERMS);
  }

  /**
   * Checks a selector without recursion, so any tree can be checked.
   *
   * @return the selector
   * @throws EvidentSourceException {@link ErrorCode#SELECTOR_TOO_COMPLEX} naming the limit
   */
  public EventSelector check(EventSelector selector) {
    record Frame(EventSelector selector, int depth) {}
    var stack = new ArrayDeque<Frame>();
    stack.push(new Frame(selector, 1));
    int terms = 0;
    while (!stack.isEmpty()) {
      var frame = stack.pop();
      if (frame.depth() > maxDepth) {
        throw tooDeep(frame.depth());
      }
      var children =
          frame
              .selector()
              .match(
                  any -> java.util.List.<EventSelector>of(),
                  equals -> java.util.List.<EventSelector>of(),
                  startsWith -> java.util.List.<EventSelector>of(),
                  EventSelector.And::selectors,
                  EventSelector.Or::selectors);
      if (children.isEmpty()) {
        terms++;
      }
      for (var child : children) {
        stack.push(new Frame(child, frame.depth() + 1));
      }
    }
    if (terms > maxTerms) {
      throw tooManyTerms(terms);
    }
    return selector;
  }

  /** The error for a selector nested {@code depth} levels (at least) deep. */
  EvidentSourceException tooDeep(int depth) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("limit", maxDepth);
    fields.put("actual", depth);
    fields.put("limit_name", MAX_DEPTH_PROPERTY);
    return new EvidentSourceException(
        ErrorCode.SELECTOR_TOO_COMPLEX,
        "the selector is nested deeper than "
            + maxDepth
            + " levels ("
            + MAX_DEPTH_PROPERTY
            + "); found at least "
            + depth,
        fields);
  }

  private EvidentSourceException tooManyTerms(int terms) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("limit", maxTerms);
    fields.put("actual", terms);
    fields.put("limit_name", MAX_TERMS_PROPERTY);
    return new EvidentSourceException(
        ErrorCode.SELECTOR_TOO_COMPLEX,
        "the selector has more than "
            + maxTerms
            + " terms ("
            + MAX_TERMS_PROPERTY
            + "); found "
            + terms,
        fields);
  }
}
