package io.evidentsource.core.index;

import io.evidentsource.core.port.IndexSegmentStore;
import org.jspecify.annotations.Nullable;

/**
 * One sealed revision range of a database's index (ADR 0011): its store key and summary, and the
 * segment itself while it must stay in heap (completed here and not yet stored). Otherwise the
 * segment is read through the {@link SegmentCache} when a walk needs it.
 */
final class SegmentRef {
  final IndexSegmentStore.Key key;
  final SegmentSummary summary;
  private volatile @Nullable IndexSegment resident;

  SegmentRef(IndexSegmentStore.Key key, SegmentSummary summary, @Nullable IndexSegment resident) {
    this.key = key;
    this.summary = summary;
    this.resident = resident;
  }

  long first() {
    return summary.firstRevision();
  }

  long last() {
    return summary.lastRevision();
  }

  /** The segment held in heap outside the cache, or null when the cache serves it. */
  @Nullable IndexSegment resident() {
    return resident;
  }

  /** Lets the cache serve the segment from now on (it is stored). */
  void release() {
    resident = null;
  }
}
