package io.evidentsource.client;

import java.util.Objects;
import java.util.function.Function;

/**
 * An append condition on L(S), the highest revision of an event matching the selector at commit
 * time (0 when none): checked atomically with the append (docs/data-model.md#append-conditions).
 */
public sealed interface Condition {

  /** The selector whose highest matching revision is checked. */
  Selector selector();

  /**
   * Calls the function for this condition's kind and returns its result. This is the one way to
   * dispatch on the kind: each kind has its own parameter, so a new kind breaks the build of every
   * caller until it handles it (Java 17 has no pattern {@code switch}).
   */
  <R> R match(Function<Max, R> max, Function<Min, R> min, Function<Range, R> range);

  /** {@code L ≤ revision}: nothing matching since {@code revision} (0: nothing matching at all). */
  record Max(Selector selector, long revision) implements Condition {
    public Max {
      Objects.requireNonNull(selector, "selector");
    }

    @Override
    public <R> R match(Function<Max, R> max, Function<Min, R> min, Function<Range, R> range) {
      return max.apply(this);
    }
  }

  /** {@code L ≥ revision}. */
  record Min(Selector selector, long revision) implements Condition {
    public Min {
      Objects.requireNonNull(selector, "selector");
    }

    @Override
    public <R> R match(Function<Max, R> max, Function<Min, R> min, Function<Range, R> range) {
      return min.apply(this);
    }
  }

  /** {@code start ≤ L ≤ end}. */
  record Range(Selector selector, long start, long end) implements Condition {
    public Range {
      Objects.requireNonNull(selector, "selector");
    }

    @Override
    public <R> R match(Function<Max, R> max, Function<Min, R> min, Function<Range, R> range) {
      return range.apply(this);
    }
  }

  static Condition max(Selector selector, long revision) {
    return new Max(selector, revision);
  }

  static Condition min(Selector selector, long revision) {
    return new Min(selector, revision);
  }

  static Condition range(Selector selector, long start, long end) {
    return new Range(selector, start, end);
  }

  /**
   * A condition that did not hold.
   *
   * @param condition the condition as sent
   * @param actualRevision L(S) at the commit position
   */
  record Failed(Condition condition, long actualRevision) {}
}
