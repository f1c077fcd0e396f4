package io.evidentsource.core.index;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import java.util.List;
import java.util.Objects;

/**
 * (Re)builds the sealed index segments of an existing database generation from its log (ADR 0011,
 * "Rebuild"): for every whole segment range at or below the head it was given, a segment that the
 * store holds and that decodes is kept; a missing one is built from the log and sealed with {@link
 * IndexSegmentStore#putIfAbsent}; one that does not decode is built from the log and {@link
 * IndexSegmentStore#replace replaces} it (a segment of a newer format version is left in place).
 *
 * <p>Idempotent and safe while writers run: it reads only committed revisions below the head it was
 * given, which never change, and encodes them exactly as the indexes seal them, so it writes the
 * same bytes as any racing sealer. It takes no index lock and holds no index in memory: one
 * segment's events at a time.
 */
public final class IndexSegmentRebuilder {
  /** Events read from the log per request. */
  static final int READ_CHUNK = 1000;

  private final StorageAdapter storage;
  private final IndexSegments segments;

  /**
   * What a rebuild has done so far.
   *
   * @param rangesTotal whole segment ranges at or below the head, {@code head / segmentEvents}
   * @param rangesDone ranges checked so far (kept, sealed or replaced)
   * @param sealed ranges that had no segment and were sealed from the log (by this rebuild, or by a
   *     sealer that won the race to it)
   * @param replaced segments that did not decode and were replaced by one built from the log
   * @param kept segments that were there and decode (or are of a newer format), left as they were
   * @param eventsRead events read from the log
   */
  public record Progress(
      long rangesTotal, long rangesDone, long sealed, long replaced, long kept, long eventsRead) {
    /** Nothing done yet. */
    public static Progress start(long rangesTotal) {
      return new Progress(rangesTotal, 0, 0, 0, 0, 0);
    }
  }

  /** Told after each range. */
  @FunctionalInterface
  public interface Listener {
    void rangeDone(Progress progress);
  }

  /**
   * @param storage where the log is read
   * @param segments the segment store and size the indexes use
   */
  public IndexSegmentRebuilder(StorageAdapter storage, IndexSegments segments) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.segments = Objects.requireNonNull(segments, "segments");
  }

  /** The number of whole segment ranges at or below {@code head}. */
  public long ranges(long head) {
    return head / segments.segmentEvents();
  }

  /**
   * Checks and (re)builds every whole segment range of {@code info}'s generation up to {@code
   * info.revision()}, oldest first, telling {@code listener} after each.
   *
   * @return the final progress
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_NOT_FOUND} when the
   *     database is deleted meanwhile; what the store or the log throws
   * @throws IllegalStateException when the thread is interrupted (the rebuild stops between ranges;
   *     what it sealed stays)
   */
  public Progress rebuild(DatabaseInfo info, Listener listener) {
    int size = segments.segmentEvents();
    var progress = Progress.start(ranges(info.revision()));
    for (long k = 0; k < progress.rangesTotal(); k++) {
      if (Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException(
            "rebuild of the index segments of " + info.name() + " interrupted");
      }
      long first = k * size + 1;
      long last = first + size - 1;
      var key = new IndexSegmentStore.Key(info.name(), info.generation(), first);
      Outcome outcome = check(key, last);
      long read = 0;
      if (outcome != Outcome.KEPT) {
        var segment = fromLog(info, first, last);
        read = segment.eventCount();
        byte[] bytes = segment.encode();
        byte[] summary = SegmentSummary.of(segment).encode();
        if (outcome == Outcome.REPLACED) {
          segments.store().replace(key, bytes, summary);
        } else {
          var unused = segments.store().putIfAbsent(key, bytes, summary);
        }
      }
      progress =
          new Progress(
              progress.rangesTotal(),
              progress.rangesDone() + 1,
              progress.sealed() + (outcome == Outcome.SEALED ? 1 : 0),
              progress.replaced() + (outcome == Outcome.REPLACED ? 1 : 0),
              progress.kept() + (outcome == Outcome.KEPT ? 1 : 0),
              progress.eventsRead() + read);
      listener.rangeDone(progress);
    }
    return progress;
  }

  private enum Outcome {
    KEPT,
    SEALED,
    REPLACED
  }

  /** What the store holds for the range: a segment to keep, none, or one to replace. */
  private Outcome check(IndexSegmentStore.Key key, long last) {
    var stored = segments.store().get(key);
    if (stored.isEmpty()) {
      return Outcome.SEALED;
    }
    try {
      var segment = IndexSegment.decode(stored.get());
      return segment.firstRevision() == key.firstRevision() && segment.lastRevision() == last
          ? Outcome.KEPT
          : Outcome.REPLACED;
    } catch (IndexSegment.CorruptSegmentException e) {
      return e.newerFormat() ? Outcome.KEPT : Outcome.REPLACED;
    }
  }

  /** The segment of {@code first..last} built from the log, as an index seals it. */
  private IndexSegment fromLog(DatabaseInfo info, long first, long last) {
    var builder = new IndexSegment.Builder(first, last);
    long next = first;
    while (next <= last) {
      long to = Math.min(last, next + READ_CHUNK - 1);
      List<StoredEvent> events = storage.readRange(info.name(), info.generation(), next, to);
      if (events.isEmpty()) {
        throw new IllegalStateException(
            "storage returned no events for revisions "
                + next
                + ".."
                + to
                + " of "
                + info.name()
                + " (at "
                + info.revision()
                + ")");
      }
      for (StoredEvent stored : events) {
        var e = stored.event();
        builder.add(
            stored.revision(),
            e,
            DatabaseIndex.nanos(stored.effectiveTime()),
            DatabaseIndex.nanos(stored.recordedTime()),
            DatabaseIndex.idHash(e.source(), e.id()));
      }
      next = events.get(events.size() - 1).revision() + 1;
    }
    return builder.build();
  }
}
