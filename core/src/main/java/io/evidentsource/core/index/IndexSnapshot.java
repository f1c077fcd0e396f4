package io.evidentsource.core.index;

import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.function.LongPredicate;

/**
 * A read view of a {@link DatabaseIndex} at a fixed revision: nothing appended later is visible.
 * Cheap to create; safe to use from any thread while the index grows.
 */
public final class IndexSnapshot {
  private final DatabaseIndex index;
  private final long revision;

  IndexSnapshot(DatabaseIndex index, long revision) {
    this.index = index;
    this.revision = revision;
  }

  /** The revision this snapshot is bounded by. */
  public long revision() {
    return revision;
  }

  /** L(S): the highest revision ≤ {@link #revision()} matching {@code selector}, 0 if none. */
  public long highestMatching(EventSelector selector) {
    return index.cursor(selector, revision, false).seek(revision);
  }

  /**
   * The highest revision recorded at or before {@code time} (an {@code as_of_transaction_time}
   * read), never above {@link #revision()}; 0 when nothing was recorded by then.
   */
  public long revisionAt(Instant time) {
    return index.revisionAtRecordedTime(time, revision);
  }

  /** Effective time of a revision ≤ {@link #revision()}, as nanoseconds since the epoch. */
  public long effectiveNanos(long revision) {
    return index.effectiveNanos(revision);
  }

  /**
   * Iterates the revisions in {@code [from, to]} (clamped to this snapshot) that match {@code
   * selector}, ascending or descending, until {@code sink} returns false.
   */
  public void forEachMatching(
      EventSelector selector, long from, long to, boolean forward, LongPredicate sink) {
    forEachMatching(selector, from, to, forward, ScanBudget.UNLIMITED, sink);
  }

  /**
   * Like {@link #forEachMatching(EventSelector, long, long, boolean, LongPredicate)}, charging the
   * walk to {@code budget}: the postings lists it opens, the steps of its unions and intersections,
   * and one entry per revision it visits. The budget stops the walk by throwing.
   */
  public void forEachMatching(
      EventSelector selector,
      long from,
      long to,
      boolean forward,
      ScanBudget budget,
      LongPredicate sink) {
    long lo = Math.max(1, from);
    long hi = Math.min(to, revision);
    if (lo > hi) {
      return;
    }
    Cursor c = index.cursor(selector, hi, forward, budget);
    long r = c.seek(forward ? lo : hi);
    while (r != 0 && r >= lo && r <= hi) {
      budget.charge(1);
      if (!sink.test(r)) {
        return;
      }
      r = c.seek(forward ? r + 1 : r - 1);
      if (!forward && r == 0) {
        return;
      }
    }
  }

  /** Converts an instant to the nanosecond scale of {@link #effectiveNanos(long)}. */
  public static long toNanos(Instant t) {
    return DatabaseIndex.nanos(t);
  }
}
