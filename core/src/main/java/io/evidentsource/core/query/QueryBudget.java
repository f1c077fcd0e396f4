package io.evidentsource.core.query;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.index.ScanBudget;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The work one query request may do (docs/limits.md#names-and-queries): at most {@link
 * Limits#maxScannedEntries()} index entries scanned and {@link Limits#timeout()} of time, and no
 * more work once its client went away. The index charges its work through {@link ScanBudget}; the
 * budget throws when a bound is passed, which ends the query with
 *
 * <ul>
 *   <li>{@link ErrorCode#QUERY_TOO_EXPENSIVE} (fields {@code limit}, {@code actual}): the selector
 *       and range ask for more index work than any one request may do; narrowing them helps,
 *       retrying does not;
 *   <li>{@link ErrorCode#QUERY_TIMEOUT} (field {@code limit_ms}): the server did not finish in time
 *       (busy, or a slow storage); retriable;
 *   <li>{@link ErrorCode#QUERY_CANCELLED}: the client cancelled or went away.
 * </ul>
 *
 * <p>A streamed result renews the budget for each chunk it reads ({@link #renew()}), so an export
 * of any length goes on while its client reads, and only the work between two chunks is bounded.
 * Used by one thread at a time; the clock and the cancellation signal are the caller's (no hidden
 * clock in the core).
 */
public final class QueryBudget implements ScanBudget {
  /** How often, in entries charged, the clock and the cancellation signal are read. */
  static final int CHECK_EVERY = 4096;

  private static final QueryBudget UNLIMITED =
      new QueryBudget(Limits.UNLIMITED, () -> 0, () -> false);

  private final Limits limits;
  private final LongSupplier nanoTime;
  private final BooleanSupplier cancelled;
  private long startNanos;
  private long scanned;
  private long sinceCheck;

  /**
   * The bounds of one query request.
   *
   * @param maxScannedEntries most index entries one request (or one chunk of a stream) may scan: a
   *     postings list opened, a step of a union or intersection, a revision visited; at least 1
   * @param timeout most time one request (or one chunk of a stream) may take; positive
   */
  public record Limits(long maxScannedEntries, Duration timeout) {
    /** No bounds at all. */
    public static final Limits UNLIMITED = new Limits(Long.MAX_VALUE, Duration.ofDays(365_000));

    /** Default of {@link #maxScannedEntries()}: 10,000,000. */
    public static final long DEFAULT_MAX_SCANNED_ENTRIES = 10_000_000L;

    /** Default of {@link #timeout()}: 10 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public Limits {
      Objects.requireNonNull(timeout, "timeout");
      if (maxScannedEntries < 1) {
        throw new IllegalArgumentException(
            "maxScannedEntries must be >= 1, was " + maxScannedEntries);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
    }

    /** The defaults: 10,000,000 entries and 10 s. */
    public static Limits defaults() {
      return new Limits(DEFAULT_MAX_SCANNED_ENTRIES, DEFAULT_TIMEOUT);
    }
  }

  /**
   * A budget that starts now.
   *
   * @param limits the bounds
   * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime})
   * @param cancelled whether the client cancelled or went away (a gRPC call's {@code isCancelled});
   *     {@code () -> false} where that cannot be known
   */
  public QueryBudget(Limits limits, LongSupplier nanoTime, BooleanSupplier cancelled) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
    this.startNanos = nanoTime.getAsLong();
  }

  /** A budget that never runs out, for internal reads (state views, subscriptions, tests). */
  public static QueryBudget unlimited() {
    return UNLIMITED;
  }

  /** The bounds. */
  public Limits limits() {
    return limits;
  }

  /** Entries charged since the start or the last {@link #renew()}. */
  public long scanned() {
    return scanned;
  }

  @Override
  public void charge(long entries) {
    if (this == UNLIMITED) {
      return;
    }
    scanned += entries;
    if (scanned > limits.maxScannedEntries()) {
      throw new EvidentSourceException(
          ErrorCode.QUERY_TOO_EXPENSIVE,
          "the query needs to scan more than "
              + limits.maxScannedEntries()
              + " index entries, the most one request may; narrow its selector (fewer or longer"
              + " prefixes) or its revision range, or read it as a stream",
          Map.of("limit", limits.maxScannedEntries(), "actual", scanned));
    }
    sinceCheck += entries;
    if (sinceCheck >= CHECK_EVERY) {
      sinceCheck = 0;
      check();
    }
  }

  /**
   * Throws when the client went away or the time is up.
   *
   * @throws EvidentSourceException {@code QUERY_CANCELLED} or {@code QUERY_TIMEOUT}
   */
  public void check() {
    if (this == UNLIMITED) {
      return;
    }
    if (cancelled.getAsBoolean()) {
      throw new EvidentSourceException(
          ErrorCode.QUERY_CANCELLED, "the client cancelled the query or went away");
    }
    long elapsed = nanoTime.getAsLong() - startNanos;
    if (elapsed > limits.timeout().toNanos()) {
      throw new EvidentSourceException(
          ErrorCode.QUERY_TIMEOUT,
          "the query did not finish within its time budget of "
              + limits.timeout().toMillis()
              + " ms; the server is busy or the query large: retry, or narrow it",
          Map.of("limit_ms", limits.timeout().toMillis()));
    }
  }

  /** Starts the bounds anew (a stream's next chunk); the cancellation signal stays. */
  public void renew() {
    if (this == UNLIMITED) {
      return;
    }
    check();
    scanned = 0;
    sinceCheck = 0;
    startNanos = nanoTime.getAsLong();
  }
}
