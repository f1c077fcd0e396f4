package io.evidentsource.core.index;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.IndexSegmentStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The index of one database generation. Without segments it is one in-memory index of the whole
 * log. With segments (ADR 0011) it is the sealed segments' summaries, ascending and contiguous from
 * revision 1, plus an in-memory <em>tail</em> of the revisions after the last of them (at most one
 * segment range): a walk loads the segments it needs through a {@link SegmentCache} bounded in
 * bytes, and a range the tail completes becomes a segment of its own (held in heap until it is
 * stored, then served by the cache) while a new, empty tail takes the revisions after it.
 *
 * <p>One writer extends it in revision order ({@link IndexManager} holds the lock); readers take a
 * {@link IndexSnapshot} bounded by a revision and never see later entries.
 */
public final class DatabaseIndex {
  /** The segments (ascending, contiguous from 1 to the tail's base) and the tail, swapped whole. */
  private static final class State {
    private final SegmentRef[] segments;
    private final TailIndex tail;

    State(SegmentRef[] segments, TailIndex tail) {
      this.segments = segments;
      this.tail = tail;
    }

    SegmentRef[] segments() {
      return segments;
    }

    TailIndex tail() {
      return tail;
    }
  }

  private static final SegmentRef[] NONE = new SegmentRef[0];

  private final DatabaseName database;
  private final long generation;
  private final int segmentEvents;
  private final @Nullable SegmentCache cache;
  private volatile State state;
  // writer only: segments completed here and not yet handed to the sealer
  private final List<SegmentRef> completed = new ArrayList<>();
  // heap of the summaries and of the resident segments, for estimatedBytes()
  private final AtomicLong segmentBytes = new AtomicLong();

  DatabaseIndex(DatabaseName database, long generation) {
    this(database, generation, 0, null);
  }

  /** An index that seals ranges of {@code segmentEvents} and keeps them in heap (tests). */
  DatabaseIndex(DatabaseName database, long generation, int segmentEvents) {
    this(
        database,
        generation,
        segmentEvents,
        segmentEvents == 0 ? null : SegmentCache.residentOnly());
  }

  /**
   * @param segmentEvents the revisions per sealed segment, 0 for an index without segments
   * @param cache where sealed segments are loaded from, null exactly when {@code segmentEvents} is
   *     0
   */
  DatabaseIndex(
      DatabaseName database, long generation, int segmentEvents, @Nullable SegmentCache cache) {
    if ((segmentEvents == 0) != (cache == null)) {
      throw new IllegalArgumentException("a cache is needed exactly when segments are on");
    }
    this.database = database;
    this.generation = generation;
    this.segmentEvents = segmentEvents;
    this.cache = cache;
    this.state = new State(NONE, new TailIndex(database, generation, segmentEvents, 0));
  }

  /** The database this index belongs to. */
  public DatabaseName database() {
    return database;
  }

  /** The database generation this index belongs to. */
  public long generation() {
    return generation;
  }

  /** The highest revision indexed. */
  public long revision() {
    return state.tail().revision();
  }

  /** The recorded time of the highest revision indexed, or null when nothing is indexed. */
  public @Nullable Instant lastRecordedTime() {
    var s = state;
    var t = s.tail().lastRecordedTime();
    if (t != null || s.segments().length == 0) {
      return t;
    }
    return Instant.ofEpochSecond(
        0, s.segments()[s.segments().length - 1].summary.lastRecordedNanos());
  }

  /** A read view bounded by {@code atRevision} (≤ {@link #revision()}). */
  public IndexSnapshot snapshot(long atRevision) {
    var s = state;
    long revision = s.tail().revision();
    if (atRevision > revision) {
      throw new IllegalArgumentException(
          "index of " + database + " is at " + revision + ", asked for " + atRevision);
    }
    return new IndexSnapshot(s.segments(), s.tail(), atRevision, cache);
  }

  /** Whether segments are on: the tail holds only the revisions after the sealed ones. */
  boolean segmented() {
    return cache != null;
  }

  /** The revisions per segment, 0 without segments. */
  int segmentEvents() {
    return segmentEvents;
  }

  /** Whether the tail holds no revision (a sealed segment may be attached). */
  boolean tailEmpty() {
    var t = state.tail();
    return t.revision() == t.base();
  }

  /** The last revision of the range the tail collects. Segments only. */
  long tailRangeEnd() {
    return state.tail().rangeEnd();
  }

  /** The key a segment starting at {@code first} has in the store. */
  IndexSegmentStore.Key key(long first) {
    return new IndexSegmentStore.Key(database, generation, first);
  }

  /** Adds the next events; their revisions must continue the index densely. Writer only. */
  void apply(List<StoredEvent> events) {
    apply(events, null);
  }

  /**
   * Adds the next events whose {@link #idHash} values the caller computed already (one per event,
   * in order), or null to compute them here. Writer only.
   */
  void apply(List<StoredEvent> events, long @Nullable [] idHashes) {
    if (cache == null) {
      state.tail().apply(events, idHashes);
      return;
    }
    int i = 0;
    int n = events.size();
    while (i < n) {
      TailIndex tail = state.tail();
      long room = tail.rangeEnd() - tail.revision();
      int take = (int) Math.min(n - i, room);
      if (take == n) {
        tail.apply(events, idHashes);
      } else {
        tail.apply(
            events.subList(i, i + take),
            idHashes == null ? null : Arrays.copyOfRange(idHashes, i, i + take));
      }
      i += take;
      for (IndexSegment s : tail.drainCompletedSegments()) {
        var ref = new SegmentRef(key(s.firstRevision()), SegmentSummary.of(s), s);
        segmentBytes.addAndGet(ref.summary.estimatedBytes() + s.estimatedBytes());
        completed.add(ref);
        swap(ref);
      }
      if (state.tail() == tail && tail.revision() == tail.rangeEnd()) {
        throw new IllegalStateException(
            "tail of " + database + " reached " + tail.revision() + " without sealing its range");
      }
    }
  }

  /**
   * Attaches a sealed segment that starts right after the index head, as if its events had been
   * applied: only its summary is kept, the cache loads the segment when a walk needs it. The tail
   * must be empty. Writer only.
   */
  void attach(IndexSegmentStore.Key key, SegmentSummary summary) {
    var tail = state.tail();
    if (cache == null || tail.revision() != tail.base()) {
      throw new IllegalStateException("index of " + database + " cannot attach a segment now");
    }
    if (summary.firstRevision() != tail.revision() + 1) {
      throw new IllegalStateException(
          "index of "
              + database
              + " at "
              + tail.revision()
              + " cannot load segment from "
              + summary.firstRevision());
    }
    if (summary.lastRevision() > TailIndex.MAX_REVISION) {
      throw new IllegalStateException("index holds at most " + TailIndex.MAX_REVISION + " events");
    }
    var ref = new SegmentRef(key, summary, null);
    segmentBytes.addAndGet(summary.estimatedBytes());
    swap(ref);
  }

  private void swap(SegmentRef ref) {
    var s = state;
    var segments = Arrays.copyOf(s.segments(), s.segments().length + 1);
    segments[segments.length - 1] = ref;
    state = new State(segments, new TailIndex(database, generation, segmentEvents, ref.last()));
  }

  /** The segments completed since the last call, oldest first, still in heap. Writer only. */
  List<SegmentRef> drainCompleted() {
    if (completed.isEmpty()) {
      return List.of();
    }
    var out = List.copyOf(completed);
    completed.clear();
    return out;
  }

  /** {@link #drainCompleted()} as segments (tests). */
  List<IndexSegment> drainCompletedSegments() {
    var out = new ArrayList<IndexSegment>();
    for (var ref : drainCompleted()) {
      out.add(java.util.Objects.requireNonNull(ref.resident()));
    }
    return out;
  }

  /** A completed segment is stored: the cache serves it from now on. */
  void stored(SegmentRef ref) {
    var s = ref.resident();
    if (s == null || cache == null) {
      return;
    }
    ref.release();
    segmentBytes.addAndGet(-s.estimatedBytes());
    cache.put(ref.key, s);
  }

  /** Revisions that may hold an event with this (source, id); verify against the event. */
  public long[] idCandidates(String source, String id) {
    return idCandidates(IdSet.hash(source, id));
  }

  /** The 64-bit hash of (source, id) the duplicate check uses. */
  public static long idHash(String source, String id) {
    return IdSet.hash(source, id);
  }

  /**
   * Revisions that may hold an event whose {@link #idHash} is {@code hash}: the tail's, and those
   * of the sealed segments whose summary's id filter may hold it (loaded for it). Writer only.
   */
  public long[] idCandidates(long hash) {
    var s = state;
    long[] out = s.tail().idCandidates(hash);
    var c = cache;
    if (c == null) {
      return out;
    }
    for (SegmentRef ref : s.segments()) {
      if (!ref.summary.mayHoldId(hash)) {
        continue;
      }
      var lease = c.acquire(ref);
      try {
        long[] more = lease.segment.revisionsWithId(hash);
        if (more.length > 0) {
          int n = out.length;
          out = Arrays.copyOf(out, n + more.length);
          System.arraycopy(more, 0, out, n, more.length);
        }
      } finally {
        c.release(lease);
      }
    }
    return out;
  }

  /**
   * An estimate of the heap this index holds outside the segment cache, in bytes: the tail's
   * ({@link TailIndex#estimatedBytes}), the summaries', and the completed segments not yet stored.
   * Readable from any thread.
   */
  public long estimatedBytes() {
    return state.tail().estimatedBytes() + segmentBytes.get();
  }

  static long nanos(Instant t) {
    return TailIndex.nanos(t);
  }
}
