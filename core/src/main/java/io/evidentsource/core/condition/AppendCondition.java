package io.evidentsource.core.condition;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A condition on L(S), the highest revision of an event matching {@link #selector()} at commit time
 * (0 when none matches), checked atomically with an append (docs/data-model.md#append-conditions).
 */
public sealed interface AppendCondition {

  /** The selector whose highest matching revision is checked. */
  EventSelector selector();

  /** Whether the condition holds when the highest matching revision is {@code highest}. */
  boolean holds(long highest);

  /**
   * Calls the function for this condition's kind and returns its result. This is the one way to
   * dispatch on the kind: each kind has its own parameter, so a new kind breaks the build of every
   * caller until it handles it (Java 17 has no pattern {@code switch}).
   */
  <R> R match(Function<Max, R> max, Function<Min, R> min, Function<Range, R> range);

  /**
   * {@code L ≤ revision}: nothing matching was appended after {@code revision}; with 0, nothing
   * matching exists. DCB's {@code failIfEventsMatch: S, after: p} is {@code max(S, p)}.
   *
   * @param selector the events watched
   * @param revision the highest allowed matching revision, ≥ 0
   */
  record Max(EventSelector selector, long revision) implements AppendCondition {
    public Max {
      Objects.requireNonNull(selector, "selector");
      requireRevision("revision", revision);
    }

    @Override
    public boolean holds(long highest) {
      return highest <= revision;
    }

    @Override
    public <R> R match(Function<Max, R> max, Function<Min, R> min, Function<Range, R> range) {
      return max.apply(this);
    }
  }

  /**
   * {@code L ≥ revision}: matching events exist up to at least {@code revision}.
   *
   * @param selector the events watched
   * @param revision the lowest allowed highest matching revision, ≥ 0
   */
  record Min(EventSelector selector, long revision) implements AppendCondition {
    public Min {
      Objects.requireNonNull(selector, "selector");
      requireRevision("revision", revision);
    }

    @Override
    public boolean holds(long highest) {
      return highest >= revision;
    }

    @Override
    public <R> R match(Function<Max, R> max, Function<Min, R> min, Function<Range, R> range) {
      return min.apply(this);
    }
  }

  /**
   * {@code start ≤ L ≤ end}, both inclusive.
   *
   * @param selector the events watched
   * @param start the lowest allowed value of L, ≥ 0
   * @param end the highest allowed value of L, ≥ start
   */
  record Range(EventSelector selector, long start, long end) implements AppendCondition {
    public Range {
      Objects.requireNonNull(selector, "selector");
      requireRevision("start", start);
      requireRevision("end", end);
      if (end < start) {
        throw new EvidentSourceException(
            ErrorCode.INVALID_CONDITION,
            "range condition needs start <= end, was start=" + start + " end=" + end,
            Map.of("start", start, "end", end));
      }
    }

    @Override
    public boolean holds(long highest) {
      return start <= highest && highest <= end;
    }

    @Override
    public <R> R match(Function<Max, R> max, Function<Min, R> min, Function<Range, R> range) {
      return range.apply(this);
    }
  }

  /** {@code max(selector, revision)}. */
  static AppendCondition max(EventSelector selector, long revision) {
    return new Max(selector, revision);
  }

  /** {@code min(selector, revision)}. */
  static AppendCondition min(EventSelector selector, long revision) {
    return new Min(selector, revision);
  }

  /** {@code range(selector, start, end)}. */
  static AppendCondition range(EventSelector selector, long start, long end) {
    return new Range(selector, start, end);
  }

  private static void requireRevision(String field, long value) {
    if (value < 0) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_CONDITION,
          "condition field '" + field + "' must be a revision >= 0, was " + value,
          Map.of("field", field));
    }
  }
}
