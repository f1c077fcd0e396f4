package io.evidentsource.core.port;

import io.evidentsource.core.model.DatabaseName;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Where sealed index segments live (ADR 0011): immutable byte strings, each the encoded index of
 * one revision range of a database generation, keyed by the range's first revision. A segment is
 * written once, by whichever instance first completed its range; a second write of the same key
 * leaves the first in place. Readers never see part of a segment. Implementations are thread-safe
 * and may be shared by any number of processes.
 *
 * <p>Beside each segment the store keeps its <em>summary</em> (a few hundred bytes naming what the
 * segment may hold: {@code core.index.SegmentSummary}), written atomically with the segment and
 * readable for a whole database generation at once ({@link #summaries}), so that a reader loads
 * only the segments a query can match.
 */
public interface IndexSegmentStore {

  /**
   * Identifies a segment.
   *
   * @param database the database
   * @param generation its generation (segments of an older generation are never read)
   * @param firstRevision the first revision the segment covers, ≥ 1
   */
  record Key(DatabaseName database, long generation, long firstRevision) {
    public Key {
      Objects.requireNonNull(database, "database");
      if (firstRevision < 1) {
        throw new IllegalArgumentException("firstRevision must be >= 1, was " + firstRevision);
      }
    }

    @Override
    public String toString() {
      return database + "#" + generation + "@" + firstRevision;
    }
  }

  /**
   * Stores {@code segment} and its {@code summary} under {@code key} unless a segment is stored
   * there already; atomic: a failure or a crash leaves either the whole segment with its summary or
   * nothing.
   *
   * @param summary the segment's encoded summary (at most {@link #MAX_SUMMARY_BYTES}), or null to
   *     store none (readers then treat the segment as possibly matching anything)
   * @return true when this call stored it, false when the key held a segment already (which stays,
   *     with its summary)
   * @throws IllegalArgumentException when the segment is larger than the store holds or the summary
   *     larger than {@link #MAX_SUMMARY_BYTES}, naming the limit ({@link #maxSegmentBytes()})
   */
  boolean putIfAbsent(Key key, byte[] segment, byte @Nullable [] summary);

  /** {@link #putIfAbsent(Key, byte[], byte[])} without a summary. */
  default boolean putIfAbsent(Key key, byte[] segment) {
    return putIfAbsent(key, segment, null);
  }

  /**
   * Stores {@code segment} under {@code key} in place of whatever is stored there (a segment that
   * failed to decode, or a part of one), or stores it if nothing is; atomic as {@link
   * #putIfAbsent}. Only for a segment rebuilt from the log: every instance encodes a range's log to
   * the same bytes, so concurrent replacements of one key agree and a racing {@link #putIfAbsent}
   * loses nothing.
   *
   * @param summary the segment's encoded summary, stored in place of the key's summary; null
   *     removes the key's summary
   * @throws IllegalArgumentException when the segment is larger than the store holds or the summary
   *     larger than {@link #MAX_SUMMARY_BYTES}, naming the limit ({@link #maxSegmentBytes()})
   */
  void replace(Key key, byte[] segment, byte @Nullable [] summary);

  /** {@link #replace(Key, byte[], byte[])} without a summary (removing the key's summary). */
  default void replace(Key key, byte[] segment) {
    replace(key, segment, null);
  }

  /** The bytes stored under {@code key}, whole, if a segment is stored there. */
  Optional<byte[]> get(Key key);

  /**
   * The summaries of every segment of the database generation stored with one, by the segment's
   * first revision, ascending. A segment stored without a summary is absent here. DynamoDB: one
   * strongly consistent Query (one request per MB of summaries).
   */
  NavigableMap<Long, byte[]> summaries(DatabaseName database, long generation);

  /**
   * Called once a database was deleted: a store that keeps its segments in this process drops every
   * generation of it here (a re-created database starts a new generation, so none of them is read
   * again). Stores shared across processes keep them; their storage removes them in the background
   * (DynamoDB: {@code DatabasePurger}, docs/dynamodb.md#deleting-a-database). The default does
   * nothing.
   */
  default void forgetDatabase(DatabaseName database) {}

  /** The largest segment {@link #putIfAbsent} accepts, in bytes. */
  int maxSegmentBytes();

  /**
   * The largest summary a store accepts, in bytes: above the largest a {@code SegmentSummary}
   * encodes (about 166 KB: five 32 KiB filters and the key bounds), and small enough that
   * DynamoDB's 4 MB transaction holds it beside the largest segment.
   */
  int MAX_SUMMARY_BYTES = 170_000;

  /** Refuses a summary above {@link #MAX_SUMMARY_BYTES}, naming the key and the limit. */
  static void requireSummarySize(Key key, byte @Nullable [] summary) {
    if (summary != null && summary.length > MAX_SUMMARY_BYTES) {
      throw new IllegalArgumentException(
          "summary of segment "
              + key
              + " has "
              + summary.length
              + " bytes, more than the limit of "
              + MAX_SUMMARY_BYTES);
    }
  }

  /** A store in this process's heap, for tests and single-process setups. */
  static IndexSegmentStore inMemory() {
    return new IndexSegmentStore() {
      // a segment with its summary (or null), swapped as one value: never one without the other
      private static final class Stored {
        final byte[] segment;
        final byte @Nullable [] summary;

        Stored(byte[] segment, byte @Nullable [] summary) {
          this.segment = segment;
          this.summary = summary;
        }
      }

      private final ConcurrentHashMap<Key, Stored> segments = new ConcurrentHashMap<>();

      @Override
      public boolean putIfAbsent(Key key, byte[] segment, byte @Nullable [] summary) {
        requireSize(key, segment);
        requireSummarySize(key, summary);
        return segments.putIfAbsent(key, new Stored(segment.clone(), copy(summary))) == null;
      }

      @Override
      public void replace(Key key, byte[] segment, byte @Nullable [] summary) {
        requireSize(key, segment);
        requireSummarySize(key, summary);
        segments.put(key, new Stored(segment.clone(), copy(summary)));
      }

      private static byte @Nullable [] copy(byte @Nullable [] b) {
        return b == null ? null : b.clone();
      }

      private void requireSize(Key key, byte[] segment) {
        if (segment.length > maxSegmentBytes()) {
          throw new IllegalArgumentException(
              "segment "
                  + key
                  + " has "
                  + segment.length
                  + " bytes, more than the limit of "
                  + maxSegmentBytes());
        }
      }

      @Override
      public Optional<byte[]> get(Key key) {
        Stored s = segments.get(key);
        return s == null ? Optional.empty() : Optional.of(s.segment.clone());
      }

      @Override
      public NavigableMap<Long, byte[]> summaries(DatabaseName database, long generation) {
        var out = new TreeMap<Long, byte[]>();
        segments.forEach(
            (key, stored) -> {
              byte[] summary = stored.summary;
              if (summary != null
                  && key.database().equals(database)
                  && key.generation() == generation) {
                out.put(key.firstRevision(), summary.clone());
              }
            });
        return Collections.unmodifiableNavigableMap(out);
      }

      @Override
      public void forgetDatabase(DatabaseName database) {
        segments.keySet().removeIf(key -> key.database().equals(database));
      }

      @Override
      public int maxSegmentBytes() {
        return Integer.MAX_VALUE - 16;
      }
    };
  }
}
