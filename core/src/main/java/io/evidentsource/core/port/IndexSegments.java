package io.evidentsource.core.port;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How the per-database indexes persist and reuse sealed index segments (ADR 0011): given to the
 * {@code EventStore}, used by its {@code IndexManager}.
 *
 * @param store where segments are sealed and read
 * @param segmentEvents revisions per segment, 1 to {@link #MAX_EVENTS}; every instance sharing a
 *     store should use the same value (a segment of another size is still read when it starts where
 *     the index needs one)
 * @param sealer runs the encoding and writing of completed segments, outside the index lock
 */
public record IndexSegments(IndexSegmentStore store, int segmentEvents, Executor sealer) {
  /** The most revisions one segment may cover. */
  public static final int MAX_EVENTS = 1 << 22;

  /**
   * The default {@code segmentEvents}: a cold instance reads at most this many events of unsealed
   * log per database (issue 10's bound of about 1,000), and the walks measured in
   * docs/benchmarks.md ("Summaries and the lazy walk") used segments of this size (ADR 0011).
   */
  public static final int DEFAULT_SEGMENT_EVENTS = 1_000;

  public IndexSegments {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(sealer, "sealer");
    if (segmentEvents < 1 || segmentEvents > MAX_EVENTS) {
      throw new IllegalArgumentException(
          "segmentEvents must be in 1.." + MAX_EVENTS + ", was " + segmentEvents);
    }
  }
}
