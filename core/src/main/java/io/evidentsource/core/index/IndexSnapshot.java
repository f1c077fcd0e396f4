package io.evidentsource.core.index;

import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.function.LongPredicate;
import org.jspecify.annotations.Nullable;

/**
 * A read view of a {@link DatabaseIndex} at a fixed revision: nothing appended later is visible.
 * Cheap to create; safe to use while the index grows, from one thread at a time.
 *
 * <p>With segments (ADR 0011) the view is the sealed segments and the tail the index had when the
 * view was taken. Walks visit the tail and the segments in the walk's direction and skip every
 * segment outside the asked range or whose summary excludes the selector; a segment is loaded
 * (through the {@link SegmentCache}) only when the walk reaches it, and held only while the walk is
 * inside it. {@link #highestMatching} and {@link #revisionAt} go newest first and stop at the first
 * segment that answers.
 */
public final class IndexSnapshot {
  private final SegmentRef[] segments;
  private final TailIndex tail;
  private final long revision;
  private final @Nullable SegmentCache cache;
  // the segment a walk is inside (held by it), and the last one looked up for effectiveNanos
  private @Nullable IndexSegment current;
  private @Nullable IndexSegment recent;

  IndexSnapshot(
      SegmentRef[] segments, TailIndex tail, long revision, @Nullable SegmentCache cache) {
    this.segments = segments;
    this.tail = tail;
    this.revision = revision;
    this.cache = cache;
  }

  /** The revision this snapshot is bounded by. */
  public long revision() {
    return revision;
  }

  /** L(S): the highest revision ≤ {@link #revision()} matching {@code selector}, 0 if none. */
  public long highestMatching(EventSelector selector) {
    if (revision > tail.base()) {
      long r = tail.cursor(selector, revision, false).seek(revision);
      if (r != 0 || segments.length == 0) {
        return r;
      }
    }
    long top = Math.min(revision, tail.base());
    for (int i = segmentOf(top); i >= 0; i--) {
      SegmentRef ref = segments[i];
      if (!ref.summary.mayMatch(selector)) {
        continue;
      }
      int[] m = matching(ref, selector);
      int k = Postings.countAtMost(m, m.length, top) - 1;
      if (k >= 0) {
        return m[k];
      }
    }
    return 0;
  }

  /**
   * The highest revision recorded at or before {@code time} (an {@code as_of_transaction_time}
   * read), never above {@link #revision()}; 0 when nothing was recorded by then.
   */
  public long revisionAt(Instant time) {
    if (revision > tail.base()) {
      long r = tail.revisionAtRecordedTime(time, revision);
      if (r != 0 || segments.length == 0) {
        return r;
      }
    }
    long t = TailIndex.nanos(time);
    long top = Math.min(revision, tail.base());
    for (int i = segmentOf(top); i >= 0; i--) {
      SegmentRef ref = segments[i];
      if (ref.summary.firstRecordedNanos() > t) {
        continue; // recorded times ascend with revisions: look at older segments
      }
      long last = Math.min(ref.last(), top);
      if (ref.summary.lastRecordedNanos() <= t) {
        return last;
      }
      var c = requireCache();
      var lease = c.acquire(ref);
      try {
        for (long r = last; r >= ref.first(); r--) {
          if (lease.segment.recordedNanos(r) <= t) {
            return r;
          }
        }
      } finally {
        c.release(lease);
      }
    }
    return 0;
  }

  /** Effective time of a revision ≤ {@link #revision()}, as nanoseconds since the epoch. */
  public long effectiveNanos(long revision) {
    if (revision > tail.base()) {
      return tail.effectiveNanos(revision);
    }
    var s = current;
    if (s != null && revision >= s.firstRevision() && revision <= s.lastRevision()) {
      return s.effectiveNanos(revision);
    }
    s = recent;
    if (s != null && revision >= s.firstRevision() && revision <= s.lastRevision()) {
      return s.effectiveNanos(revision);
    }
    var c = requireCache();
    var lease = c.acquire(segments[segmentOf(revision)]);
    try {
      recent = lease.segment;
      return lease.segment.effectiveNanos(revision);
    } finally {
      c.release(lease);
    }
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
   * walk to {@code budget}: the postings lists it opens (a sealed segment it opens counts as one),
   * the steps of its unions and intersections, and one entry per revision it visits. The budget
   * stops the walk by throwing.
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
    if (segments.length == 0) {
      walkTail(selector, lo, hi, forward, budget, sink);
      return;
    }
    long base = tail.base();
    if (forward) {
      if (lo <= base) {
        for (int i = segmentOf(lo); i < segments.length && segments[i].first() <= hi; i++) {
          if (!walkSegment(segments[i], selector, lo, hi, true, budget, sink)) {
            return;
          }
        }
      }
      if (hi > base) {
        walkTail(selector, Math.max(lo, base + 1), hi, true, budget, sink);
      }
      return;
    }
    if (hi > base && !walkTail(selector, Math.max(lo, base + 1), hi, false, budget, sink)) {
      return;
    }
    long top = Math.min(hi, base);
    for (int i = segmentOf(top); i >= 0 && segments[i].last() >= lo; i--) {
      if (!walkSegment(segments[i], selector, lo, top, false, budget, sink)) {
        return;
      }
    }
  }

  /** Walks the tail's part of [lo, hi]; false when the sink stopped the walk. */
  private boolean walkTail(
      EventSelector selector,
      long lo,
      long hi,
      boolean forward,
      ScanBudget budget,
      LongPredicate sink) {
    Cursor c = tail.cursor(selector, hi, forward, budget);
    long r = c.seek(forward ? lo : hi);
    while (r != 0 && r >= lo && r <= hi) {
      budget.charge(1);
      if (!sink.test(r)) {
        return false;
      }
      r = c.seek(forward ? r + 1 : r - 1);
      if (!forward && r == 0) {
        return true;
      }
    }
    return true;
  }

  /** Walks one segment's part of [lo, hi], unless its summary excludes the selector. */
  private boolean walkSegment(
      SegmentRef ref,
      EventSelector selector,
      long lo,
      long hi,
      boolean forward,
      ScanBudget budget,
      LongPredicate sink) {
    if (!ref.summary.mayMatch(selector)) {
      return true;
    }
    budget.charge(1);
    var c = requireCache();
    var lease = c.acquire(ref);
    var outer = current;
    current = lease.segment;
    try {
      int[] m = lease.segment.matching(selector);
      if (forward) {
        for (int k = Postings.countAtMost(m, m.length, lo - 1); k < m.length && m[k] <= hi; k++) {
          budget.charge(1);
          if (!sink.test(m[k])) {
            return false;
          }
        }
      } else {
        for (int k = Postings.countAtMost(m, m.length, hi) - 1; k >= 0 && m[k] >= lo; k--) {
          budget.charge(1);
          if (!sink.test(m[k])) {
            return false;
          }
        }
      }
      return true;
    } finally {
      current = outer;
      c.release(lease);
    }
  }

  /** The revisions of a segment matching {@code selector}, ascending, loading it if needed. */
  private int[] matching(SegmentRef ref, EventSelector selector) {
    var c = requireCache();
    var lease = c.acquire(ref);
    try {
      return lease.segment.matching(selector);
    } finally {
      c.release(lease);
    }
  }

  /** The index of the segment holding {@code r} (1 ≤ r ≤ the tail's base), -1 when r < 1. */
  private int segmentOf(long r) {
    int lo = 0;
    int hi = segments.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (segments[mid].first() <= r) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private SegmentCache requireCache() {
    var c = cache;
    if (c == null) {
      throw new IllegalStateException("a snapshot with segments has a cache");
    }
    return c;
  }

  /** Converts an instant to the nanosecond scale of {@link #effectiveNanos(long)}. */
  public static long toNanos(Instant t) {
    return TailIndex.nanos(t);
  }
}
