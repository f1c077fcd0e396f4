package io.evidentsource.core.port;

import io.evidentsource.core.model.DatabaseName;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where sealed index segments live (ADR 0011): immutable byte strings, each the encoded index of
 * one revision range of a database generation, keyed by the range's first revision. A segment is
 * written once, by whichever instance first completed its range; a second write of the same key
 * leaves the first in place. Readers never see part of a segment. Implementations are thread-safe
 * and may be shared by any number of processes.
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
   * Stores {@code segment} under {@code key} unless a segment is stored there already; atomic: a
   * failure or a crash leaves either the whole segment or nothing.
   *
   * @return true when this call stored it, false when the key held a segment already (which stays)
   * @throws IllegalArgumentException when the segment is larger than the store holds, naming the
   *     limit ({@link #maxSegmentBytes()})
   */
  boolean putIfAbsent(Key key, byte[] segment);

  /**
   * Stores {@code segment} under {@code key} in place of whatever is stored there (a segment that
   * failed to decode, or a part of one), or stores it if nothing is; atomic as {@link
   * #putIfAbsent}. Only for a segment rebuilt from the log: every instance encodes a range's log to
   * the same bytes, so concurrent replacements of one key agree and a racing {@link #putIfAbsent}
   * loses nothing.
   *
   * @throws IllegalArgumentException when the segment is larger than the store holds, naming the
   *     limit ({@link #maxSegmentBytes()})
   */
  void replace(Key key, byte[] segment);

  /** The bytes stored under {@code key}, whole, if a segment is stored there. */
  Optional<byte[]> get(Key key);

  /** The largest segment {@link #putIfAbsent} accepts, in bytes. */
  int maxSegmentBytes();

  /** A store in this process's heap, for tests and single-process setups. */
  static IndexSegmentStore inMemory() {
    return new IndexSegmentStore() {
      private final ConcurrentHashMap<Key, byte[]> segments = new ConcurrentHashMap<>();

      @Override
      public boolean putIfAbsent(Key key, byte[] segment) {
        requireSize(key, segment);
        return segments.putIfAbsent(key, segment.clone()) == null;
      }

      @Override
      public void replace(Key key, byte[] segment) {
        requireSize(key, segment);
        segments.put(key, segment.clone());
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
        byte[] b = segments.get(key);
        return b == null ? Optional.empty() : Optional.of(b.clone());
      }

      @Override
      public int maxSegmentBytes() {
        return Integer.MAX_VALUE - 16;
      }
    };
  }
}
