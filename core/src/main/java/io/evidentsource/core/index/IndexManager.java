package io.evidentsource.core.index;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.observe.IndexCacheLookup;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one {@link DatabaseIndex} per database generation, built lazily the first time it is needed
 * and extended incrementally: from the log, or with segments (ADR 0011) from the summaries of the
 * sealed segments plus the log after the last of them, the segments themselves being loaded into a
 * shared {@link SegmentCache} only when a walk needs them. Writers to an index hold its lock;
 * readers use snapshots and never block.
 *
 * <p>With a cache bound ({@link #IndexManager(StorageAdapter, EventStoreObserver, IndexSegments,
 * long)}), whenever the estimated heap of all indexes and cached segments exceeds it, the least
 * recently used cached segments that no walk holds are dropped first, then the indexes of the least
 * recently used databases; either is read again on next use. The index just used and the segments
 * running walks hold are never dropped, so one walk over a database larger than the bound still
 * works.
 */
public final class IndexManager {
  /** Events read from storage per catch-up round trip. */
  static final int CATCH_UP_CHUNK = 1000;

  private static final System.Logger LOG = System.getLogger(IndexManager.class.getName());

  private final StorageAdapter storage;
  private final EventStoreObserver observer;
  private final @Nullable IndexSegments segments;
  private final long cacheBytes;
  private final ConcurrentHashMap<DatabaseName, Entry> indexes = new ConcurrentHashMap<>();
  private final AtomicLong uses = new AtomicLong();
  private final ReentrantLock evicting = new ReentrantLock();
  // segments that failed to decode here: rebuilt from the log and replaced when their range is
  // next completed from the log (ADR 0011)
  private final Set<IndexSegmentStore.Key> damaged = ConcurrentHashMap.newKeySet();
  // with segments: the sealed segments walks loaded, bounded with the indexes by cacheBytes
  private final @Nullable SegmentCache cache;

  /** An index, its writer lock, when it was last used, and whether it was dropped. */
  private static final class Entry {
    final DatabaseIndex index;
    final ReentrantLock lock = new ReentrantLock();
    volatile long lastUse;
    volatile boolean evicted; // written under lock

    Entry(DatabaseIndex index) {
      this.index = index;
    }

    DatabaseIndex index() {
      return index;
    }

    ReentrantLock lock() {
      return lock;
    }
  }

  /**
   * @param storage where the log is read from
   */
  public IndexManager(StorageAdapter storage) {
    this(storage, EventStoreObserver.NONE);
  }

  /**
   * @param storage where the log is read from
   * @param observer told of each index lookup (hit, extended from the log, or built from it)
   */
  public IndexManager(StorageAdapter storage, EventStoreObserver observer) {
    this(storage, observer, null);
  }

  /**
   * @param storage where the log is read from
   * @param observer told of each index lookup (hit, extended from the log, or built from it)
   * @param segments where sealed index segments are written and read (ADR 0011), or null to index
   *     from the log only
   */
  public IndexManager(
      StorageAdapter storage, EventStoreObserver observer, @Nullable IndexSegments segments) {
    this(storage, observer, segments, Long.MAX_VALUE);
  }

  /**
   * @param storage where the log is read from
   * @param observer told of each index lookup (hit, extended from the log, or built from it)
   * @param segments where sealed index segments are written and read (ADR 0011), or null to index
   *     from the log only
   * @param cacheBytes the bound on {@link #estimatedBytes()} beyond which the least recently used
   *     indexes are dropped, positive; {@link Long#MAX_VALUE} for no bound
   */
  public IndexManager(
      StorageAdapter storage,
      EventStoreObserver observer,
      @Nullable IndexSegments segments,
      long cacheBytes) {
    if (cacheBytes < 1) {
      throw new IllegalArgumentException("cacheBytes must be positive, was " + cacheBytes);
    }
    this.storage = storage;
    this.observer = observer;
    this.segments = segments;
    this.cacheBytes = cacheBytes;
    this.cache =
        segments == null ? null : new SegmentCache(this::load, cacheBytes, this::indexBytes);
  }

  /**
   * An estimate of the heap all indexes hold, in bytes: each database's index ({@link
   * DatabaseIndex#estimatedBytes}: without segments its whole index, with segments its tail,
   * summaries and segments not yet stored) and, with segments, the sealed segments cached for
   * walks.
   */
  public long estimatedBytes() {
    var c = cache;
    return indexBytes() + (c == null ? 0 : c.bytes());
  }

  /** The number of sealed segments cached for walks (with segments). */
  public long cachedSegments() {
    var c = cache;
    return c == null ? 0 : c.size();
  }

  /** How many sealed segments walks loaded from the store so far (with segments). */
  public long segmentLoads() {
    var c = cache;
    return c == null ? 0 : c.loads();
  }

  private long indexBytes() {
    long bytes = 0;
    for (Entry e : indexes.values()) {
      bytes += e.index().estimatedBytes();
    }
    return bytes;
  }

  private SegmentCache requireCache() {
    return Objects.requireNonNull(cache, "segment cache");
  }

  /**
   * The index of the database as {@code info} describes it, extended to at least {@code
   * info.revision()}.
   */
  public DatabaseIndex caughtUp(DatabaseInfo info) {
    var entry = entry(info);
    if (entry.index().revision() >= info.revision()) {
      observer.indexCacheLookup(info.name(), IndexCacheLookup.HIT);
      return entry.index();
    }
    entry = locked(info);
    try {
      catchUp(entry.index(), info.revision());
      return entry.index();
    } finally {
      entry.lock().unlock();
      evictBeyondBound(entry);
    }
  }

  /**
   * Runs {@code action} holding the write lock of the database's index; the action may call {@link
   * #catchUp} and {@link #applyCommitted}.
   */
  public <T extends @Nullable Object> T withWriteLock(DatabaseInfo info, Supplier<T> action) {
    var entry = locked(info);
    try {
      return action.get();
    } finally {
      entry.lock().unlock();
      evictBeyondBound(entry);
    }
  }

  /**
   * The current entry of this generation with its lock held: never one dropped meanwhile. The
   * caller releases the lock in its own {@code finally}.
   */
  @SuppressWarnings("LockNotBeforeTry") // the lock is handed to the caller, who releases it
  private Entry locked(DatabaseInfo info) {
    while (true) {
      var entry = entry(info);
      entry.lock().lock();
      if (!entry.evicted) {
        return entry;
      }
      entry.lock().unlock(); // dropped between the lookup and the lock: take the new one
    }
  }

  /**
   * Drops the least recently used indexes, except {@code keep} and any whose lock is held, until
   * the estimate is within the bound. Called without holding an index lock.
   */
  private void evictBeyondBound(Entry keep) {
    if (cacheBytes == Long.MAX_VALUE || !evicting.tryLock()) {
      return; // unbounded, or another thread is evicting already
    }
    try {
      var c = cache;
      if (c != null) {
        c.evict(); // cached segments go first: a dropped index costs more to rebuild
      }
      long total = estimatedBytes();
      if (total <= cacheBytes) {
        return;
      }
      var byAge = new java.util.ArrayList<>(indexes.values());
      byAge.sort(java.util.Comparator.comparingLong(e -> e.lastUse));
      for (Entry e : byAge) {
        if (total <= cacheBytes) {
          break;
        }
        if (e == keep || !e.lock().tryLock()) {
          continue;
        }
        try {
          if (indexes.remove(e.index().database(), e)) {
            e.evicted = true;
            total -= e.index().estimatedBytes();
          }
        } finally {
          e.lock().unlock();
        }
      }
    } finally {
      evicting.unlock();
    }
  }

  /**
   * Runs {@code action} holding the write lock of the database's index if the lock is free now;
   * returns false without running it when another thread holds it.
   */
  public boolean tryWithWriteLock(DatabaseInfo info, Runnable action) {
    var entry = entry(info);
    if (!entry.lock().tryLock()) {
      return false;
    }
    try {
      action.run();
      return true;
    } finally {
      entry.lock().unlock();
    }
  }

  /** The index for this generation (created empty if needed), without catching up. */
  public DatabaseIndex index(DatabaseInfo info) {
    return entry(info).index();
  }

  /**
   * Reads and indexes the log up to {@code target}. Caller holds the write lock. With segments, a
   * range whose sealed segment is stored is attached by its summary (the segment itself is loaded
   * only when a walk needs it); only the revisions after the last sealed range, and ranges without
   * a readable segment, are read from the log.
   */
  public void catchUp(DatabaseIndex index, long target) {
    long before = index.revision();
    if (before >= target) {
      observer.indexCacheLookup(index.database(), IndexCacheLookup.HIT);
      return;
    }
    var s = segments;
    NavigableMap<Long, SegmentSummary> stored = null;
    if (s != null && target - before >= s.segmentEvents()) {
      stored = summaries(s.store(), index);
    }
    while (index.revision() < target) {
      long from = index.revision() + 1;
      if (s != null && index.tailEmpty() && attach(s, index, from, target, stored)) {
        continue;
      }
      long to = Math.min(target, index.revision() + CATCH_UP_CHUNK);
      if (s != null) {
        // stop where the tail's range ends: the range is sealed there and a new tail begins
        to = Math.min(to, index.tailRangeEnd());
      }
      List<StoredEvent> events = storage.readRange(index.database(), index.generation(), from, to);
      if (events.isEmpty()) {
        throw new IllegalStateException(
            "storage returned no events for revisions "
                + from
                + ".."
                + to
                + " of "
                + index.database());
      }
      index.apply(events);
    }
    seal(index);
    observer.indexCacheLookup(
        index.database(), before == 0 ? IndexCacheLookup.MISS : IndexCacheLookup.EXTENDED);
  }

  /**
   * The summaries of the database's sealed segments (one request), by first revision; a summary
   * that does not decode is reported and left out (its segment is then looked up on its own).
   */
  private static NavigableMap<Long, SegmentSummary> summaries(
      IndexSegmentStore store, DatabaseIndex index) {
    var out = new TreeMap<Long, SegmentSummary>();
    for (var e : store.summaries(index.database(), index.generation()).entrySet()) {
      try {
        out.put(e.getKey(), SegmentSummary.decode(e.getValue()));
      } catch (RuntimeException ex) {
        LOG.log(
            System.Logger.Level.WARNING,
            "summary of index segment {0} does not decode ({1}); reading the segment instead",
            index.key(e.getKey()),
            ex.getMessage());
      }
    }
    return out;
  }

  /**
   * Attaches the sealed segment starting at {@code from} (the tail is empty) if it ends at or below
   * {@code target}: by its summary when the store listed one, else by reading the segment (kept in
   * the cache) when {@code from} starts a range of the configured size. A segment that does not
   * decode is reported with its key and skipped: its range is read from the log and the segment
   * rebuilt from it replaces the damaged one (unless it is of a newer format version, which only a
   * newer server reads).
   */
  private boolean attach(
      IndexSegments s,
      DatabaseIndex index,
      long from,
      long target,
      @Nullable NavigableMap<Long, SegmentSummary> stored) {
    var key = index.key(from);
    var summary = stored == null ? null : stored.get(from);
    if (summary != null) {
      if (summary.lastRevision() > target) {
        return false;
      }
      index.attach(key, summary);
      return true;
    }
    if (from - 1 + s.segmentEvents() > target) {
      return false;
    }
    var bytes = s.store().get(key);
    if (bytes.isEmpty()) {
      return false;
    }
    IndexSegment segment;
    try {
      segment = IndexSegment.decode(bytes.get());
    } catch (IndexSegment.CorruptSegmentException e) {
      reportUnreadable(key, e);
      return false;
    }
    if (segment.firstRevision() != from || segment.lastRevision() > target) {
      LOG.log(
          System.Logger.Level.WARNING,
          "index segment {0} covers {1}..{2}, not a range from {3} to at most {4}; reading the log",
          key,
          segment.firstRevision(),
          segment.lastRevision(),
          from,
          target);
      return false;
    }
    index.attach(key, SegmentSummary.of(segment));
    requireCache().put(key, segment);
    return true;
  }

  private void reportUnreadable(IndexSegmentStore.Key key, IndexSegment.CorruptSegmentException e) {
    if (e.newerFormat()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "index segment {0} is of a newer format ({1}); indexing its range from the log",
          key,
          e.getMessage());
    } else {
      LOG.log(
          System.Logger.Level.WARNING,
          "index segment {0} does not decode ({1}); indexing its range from the log and"
              + " replacing the segment with one rebuilt from it",
          key,
          e.getMessage());
      damaged.add(key);
    }
  }

  /**
   * Loads a sealed segment a walk needs (the cache's loader): one read from the store. A segment
   * that is missing, does not decode or covers another range than its summary is reported with its
   * key and rebuilt from its range of the log, which the walk then uses; the rebuilt segment
   * replaces the stored one (unless that is of a newer format version). Never a wrong answer.
   */
  private IndexSegment load(SegmentRef ref) {
    var s = Objects.requireNonNull(segments);
    var key = ref.key;
    var bytes = s.store().get(key);
    boolean replace = true;
    if (bytes.isPresent()) {
      try {
        var segment = IndexSegment.decode(bytes.get());
        if (segment.firstRevision() == ref.first() && segment.lastRevision() == ref.last()) {
          return segment;
        }
        LOG.log(
            System.Logger.Level.WARNING,
            "index segment {0} covers {1}..{2}, not {3}..{4} as its summary says; indexing the"
                + " range from the log",
            key,
            segment.firstRevision(),
            segment.lastRevision(),
            ref.first(),
            ref.last());
      } catch (IndexSegment.CorruptSegmentException e) {
        reportUnreadable(key, e);
        damaged.remove(key); // replaced right below, not when a tail completes it
        replace = !e.newerFormat();
      }
    } else {
      LOG.log(
          System.Logger.Level.WARNING,
          "index segment {0} has a summary but no segment; indexing its range from the log",
          key);
    }
    var rebuilt = fromLog(key, ref.first(), ref.last());
    if (replace) {
      try {
        s.sealer().execute(() -> sealNow(s.store(), key, rebuilt, true));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "index segment " + key + " not handed to sealer", e);
      }
    }
    return rebuilt;
  }

  /** The segment of revisions {@code first..last} built from the log. */
  private IndexSegment fromLog(IndexSegmentStore.Key key, long first, long last) {
    var builder = new IndexSegment.Builder(first, last);
    long from = first;
    while (from <= last) {
      long to = Math.min(last, from + CATCH_UP_CHUNK - 1);
      var events = storage.readRange(key.database(), key.generation(), from, to);
      if (events.isEmpty()) {
        throw new IllegalStateException(
            "storage returned no events for revisions " + from + ".." + to + " of " + key);
      }
      for (StoredEvent e : events) {
        builder.add(
            e.revision(),
            e.event(),
            TailIndex.nanos(e.effectiveTime()),
            TailIndex.nanos(e.recordedTime()),
            IdSet.hash(e.event().source(), e.event().id()));
      }
      from = events.get(events.size() - 1).revision() + 1;
    }
    return builder.build();
  }

  /** Hands the segments the index completed to the sealer. Caller holds the write lock. */
  private void seal(DatabaseIndex index) {
    var s = segments;
    if (s == null) {
      return;
    }
    for (SegmentRef ref : index.drainCompleted()) {
      var segment = Objects.requireNonNull(ref.resident());
      boolean replace = damaged.remove(ref.key);
      try {
        s.sealer()
            .execute(
                () -> {
                  if (sealNow(s.store(), ref.key, segment, replace)) {
                    index.stored(ref);
                  }
                });
      } catch (RuntimeException e) {
        // a stopped sealer (shutting down): the segment stays in heap
        LOG.log(
            System.Logger.Level.WARNING, "index segment " + ref.key + " not handed to sealer", e);
      }
    }
  }

  /** Stores a segment; true when the store holds it (this call's or a racing sealer's). */
  private static boolean sealNow(
      IndexSegmentStore store, IndexSegmentStore.Key key, IndexSegment s, boolean replace) {
    try {
      byte[] summary = SegmentSummary.of(s).encode();
      if (replace) {
        store.replace(key, s.encode(), summary);
        LOG.log(
            System.Logger.Level.WARNING,
            "index segment {0} rebuilt from the log replaced the one that did not decode",
            key);
      } else {
        store.putIfAbsent(key, s.encode(), summary);
      }
      return true;
    } catch (RuntimeException e) {
      // not sealed: the segment stays in this instance's heap, and the next instance to complete
      // the range tries again
      LOG.log(System.Logger.Level.WARNING, "sealing index segment " + key + " failed", e);
      return false;
    }
  }

  /** Indexes events just committed right after the index head. Caller holds the write lock. */
  public void applyCommitted(DatabaseIndex index, List<StoredEvent> events) {
    index.apply(events);
    seal(index);
  }

  /**
   * Like {@link #applyCommitted(DatabaseIndex, List)} with the events' {@link DatabaseIndex#idHash}
   * values already computed, one per event.
   */
  public void applyCommitted(DatabaseIndex index, List<StoredEvent> events, long[] idHashes) {
    index.apply(events, idHashes);
    seal(index);
  }

  /** Drops the index of a deleted database. */
  public void forget(DatabaseName name) {
    indexes.remove(name);
  }

  private Entry entry(DatabaseInfo info) {
    var current = indexes.get(info.name());
    if (current == null || current.index().generation() != info.generation()) {
      current =
          indexes.compute(
              info.name(),
              (name, existing) ->
                  existing != null && existing.index().generation() >= info.generation()
                      ? existing
                      : new Entry(
                          new DatabaseIndex(
                              name,
                              info.generation(),
                              segments == null ? 0 : segments.segmentEvents(),
                              cache)));
    }
    current.lastUse = uses.incrementAndGet();
    return current;
  }
}
