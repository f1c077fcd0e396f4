package io.evidentsource.core.query;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Which revision of a database a read sees (docs/adr/0003-index-and-queries.md): the head when the
 * read starts, a given revision, or the last revision recorded at or before a transaction time. A
 * read names at most one of them, so "both a revision and a time" cannot be expressed.
 */
public sealed interface Snapshot {

  /**
   * Calls the function for this snapshot's kind and returns its result. This is the one way to
   * dispatch on the kind: each kind has its own parameter, so a new kind breaks the build of every
   * caller until it handles it (Java 17 has no pattern {@code switch}).
   */
  <R> R match(
      Function<Head, R> head,
      Function<AtRevision, R> atRevision,
      Function<AsOfTransactionTime, R> asOfTransactionTime);

  /** The head revision when the read starts. */
  record Head() implements Snapshot {
    @Override
    public <R> R match(
        Function<Head, R> head,
        Function<AtRevision, R> atRevision,
        Function<AsOfTransactionTime, R> asOfTransactionTime) {
      return head.apply(this);
    }
  }

  /**
   * A given revision; reading beyond the head is an {@code INVALID_QUERY}.
   *
   * <p>The constructor throws {@link EvidentSourceException} {@code INVALID_QUERY} naming {@code
   * revision} when negative.
   *
   * @param revision the revision, ≥ 0 (0: before the first event)
   */
  record AtRevision(long revision) implements Snapshot {
    public AtRevision {
      if (revision < 0) {
        throw invalid("revision", "'revision' must be >= 0, was " + revision);
      }
    }

    @Override
    public <R> R match(
        Function<Head, R> head,
        Function<AtRevision, R> atRevision,
        Function<AsOfTransactionTime, R> asOfTransactionTime) {
      return atRevision.apply(this);
    }
  }

  /**
   * The highest revision recorded at or before {@code time} (0 when the first commit is later).
   *
   * @param time a transaction time ({@code recordedtime})
   */
  record AsOfTransactionTime(Instant time) implements Snapshot {
    public AsOfTransactionTime {
      Objects.requireNonNull(time, "time");
    }

    @Override
    public <R> R match(
        Function<Head, R> head,
        Function<AtRevision, R> atRevision,
        Function<AsOfTransactionTime, R> asOfTransactionTime) {
      return asOfTransactionTime.apply(this);
    }
  }

  /** The head when the read starts. */
  static Snapshot head() {
    return new Head();
  }

  /** The given revision, ≥ 0. */
  static Snapshot atRevision(long revision) {
    return new AtRevision(revision);
  }

  /** The last revision recorded at or before {@code time}. */
  static Snapshot asOfTransactionTime(Instant time) {
    return new AsOfTransactionTime(time);
  }

  /**
   * The snapshot a request names with its optional {@code revision} and {@code
   * as_of_transaction_time} parameters: the head when neither is given.
   *
   * @throws EvidentSourceException {@code INVALID_QUERY} naming {@code revision} when both are
   *     given or the revision is negative
   */
  static Snapshot of(@Nullable Long revision, @Nullable Instant asOfTransactionTime) {
    if (revision != null && asOfTransactionTime != null) {
      throw invalid("revision", "give either 'revision' or 'as_of_transaction_time', not both");
    }
    if (revision != null) {
      return atRevision(revision);
    }
    return asOfTransactionTime != null ? asOfTransactionTime(asOfTransactionTime) : head();
  }

  private static EvidentSourceException invalid(String parameter, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_QUERY, detail, Map.of("parameter", parameter));
  }
}
