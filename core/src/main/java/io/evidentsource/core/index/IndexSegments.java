package io.evidentsource.core.index;

import io.evidentsource.core.port.IndexSegmentStore;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How an {@link IndexManager} persists and reuses sealed index segments (ADR 0011).
 *
 * @param store where segments are sealed and read
 * @param segmentEvents revisions per segment, 1 to {@link IndexSegment#MAX_EVENTS}; every instance
 *     sharing a store should use the same value (a segment of another size is still read when it
 *     starts where the index needs one)
 * @param sealer runs the encoding and writing of completed segments, outside the index lock
 */
public record IndexSegments(IndexSegmentStore store, int segmentEvents, Executor sealer) {
  /** The default {@code segmentEvents}. */
  public static final int DEFAULT_SEGMENT_EVENTS = 10_000;

  public IndexSegments {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(sealer, "sealer");
    if (segmentEvents < 1 || segmentEvents > IndexSegment.MAX_EVENTS) {
      throw new IllegalArgumentException(
          "segmentEvents must be in 1.." + IndexSegment.MAX_EVENTS + ", was " + segmentEvents);
    }
  }
}
