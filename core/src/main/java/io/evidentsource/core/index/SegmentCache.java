package io.evidentsource.core.index;

import io.evidentsource.core.port.IndexSegmentStore;
import java.util.LinkedHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The sealed segments of all databases that walks loaded (ADR 0011), least recently used first,
 * within a bound in bytes shared with the indexes' tails: whenever the segments' estimated heap
 * ({@link IndexSegment#estimatedBytes}) plus {@code residentBytes} exceeds {@code bound}, the least
 * recently used segments that no walk holds are dropped. A walk holds a segment between {@link
 * #acquire} and {@link #release}; a held segment is never dropped, so a walk always finishes (the
 * bound may then be exceeded by the segments held at once, one per running walk). Thread-safe;
 * loading happens outside the lock, so two walks may load one segment at once (one copy is kept).
 */
final class SegmentCache {
  private final Function<SegmentRef, IndexSegment> loader;
  private final long bound;
  private final LongSupplier residentBytes;
  private final LinkedHashMap<IndexSegmentStore.Key, Entry> lru =
      new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private long loads;

  /** A segment in the cache, its estimated heap and how many walks hold it. */
  private static final class Entry {
    final IndexSegment segment;
    final long bytes;
    int pins;

    Entry(IndexSegment segment) {
      this.segment = segment;
      this.bytes = segment.estimatedBytes();
    }
  }

  /** A segment a walk holds: give it back with {@link #release}. */
  static final class Lease {
    final IndexSegment segment;
    private final @Nullable Entry entry;

    private Lease(IndexSegment segment, @Nullable Entry entry) {
      this.segment = segment;
      this.entry = entry;
    }
  }

  /**
   * @param loader reads a segment from storage (or rebuilds it from the log); may block
   * @param bound the most bytes the cache and {@code residentBytes} may hold together; {@link
   *     Long#MAX_VALUE} for none
   * @param residentBytes the heap held outside this cache that counts against the bound (the
   *     indexes' tails and summaries)
   */
  SegmentCache(Function<SegmentRef, IndexSegment> loader, long bound, LongSupplier residentBytes) {
    this.loader = loader;
    this.bound = bound;
    this.residentBytes = residentBytes;
  }

  /** A cache that cannot load: every segment must be resident (for indexes built in tests). */
  static SegmentCache residentOnly() {
    return new SegmentCache(
        ref -> {
          throw new IllegalStateException("segment " + ref.key + " is not in heap");
        },
        Long.MAX_VALUE,
        () -> 0);
  }

  /** The segment of {@code ref}, loaded if needed, held until {@link #release}. */
  Lease acquire(SegmentRef ref) {
    var resident = ref.resident();
    if (resident != null) {
      return new Lease(resident, null);
    }
    synchronized (this) {
      var e = lru.get(ref.key);
      if (e != null) {
        e.pins++;
        return new Lease(e.segment, e);
      }
    }
    IndexSegment loaded = loader.apply(ref);
    Entry e;
    synchronized (this) {
      e = lru.get(ref.key);
      if (e == null) {
        e = new Entry(loaded);
        lru.put(ref.key, e);
        bytes += e.bytes;
        loads++;
      }
      e.pins++;
    }
    evict();
    return new Lease(e.segment, e);
  }

  /** Gives back a segment {@link #acquire} returned. */
  void release(Lease lease) {
    var e = lease.entry;
    if (e == null) {
      return;
    }
    synchronized (this) {
      e.pins--;
    }
    evict();
  }

  /** Adds a segment just stored (it was resident until now), as the most recently used. */
  void put(IndexSegmentStore.Key key, IndexSegment segment) {
    synchronized (this) {
      if (!lru.containsKey(key)) {
        var e = new Entry(segment);
        lru.put(key, e);
        bytes += e.bytes;
      }
    }
    evict();
  }

  /** Drops least recently used segments no walk holds until the bound holds, if it can. */
  void evict() {
    if (bound == Long.MAX_VALUE) {
      return;
    }
    long room = bound - residentBytes.getAsLong();
    synchronized (this) {
      var it = lru.values().iterator();
      while (bytes > room && it.hasNext()) {
        var e = it.next();
        if (e.pins == 0) {
          it.remove();
          bytes -= e.bytes;
        }
      }
    }
  }

  /** The estimated heap of the cached segments, in bytes. */
  synchronized long bytes() {
    return bytes;
  }

  /** The number of segments cached. */
  synchronized int size() {
    return lru.size();
  }

  /** How many segments were loaded (read from storage or rebuilt from the log) so far. */
  synchronized long loads() {
    return loads;
  }
}
