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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one {@link DatabaseIndex} per database generation, built lazily from the log (or from
 * sealed segments, ADR 0011) the first time it is needed and extended incrementally. Writers to an
 * index hold its lock; readers use snapshots and never block.
 *
 * <p>With a cache bound ({@link #IndexManager(StorageAdapter, EventStoreObserver, IndexSegments,
 * long)}), the indexes of the least recently used databases are dropped whenever the estimated heap
 * of all of them exceeds it; a dropped index is rebuilt on its database's next use. The index just
 * used is never dropped, so one database larger than the bound still works.
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
  }

  /** An estimate of the heap all indexes hold, in bytes ({@link DatabaseIndex#estimatedBytes}). */
  public long estimatedBytes() {
    long bytes = 0;
    for (Entry e : indexes.values()) {
      bytes += e.index().estimatedBytes();
    }
    return bytes;
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

  /** Reads and indexes the log up to {@code target}. Caller holds the write lock. */
  public void catchUp(DatabaseIndex index, long target) {
    long before = index.revision();
    if (before >= target) {
      observer.indexCacheLookup(index.database(), IndexCacheLookup.HIT);
      return;
    }
    while (index.revision() < target) {
      long from = index.revision() + 1;
      if (loadSegment(index, from, target)) {
        continue;
      }
      long to = Math.min(target, index.revision() + CATCH_UP_CHUNK);
      var s = segments;
      if (s != null) {
        // stop at the next segment boundary, where a sealed segment may take over
        long boundary = (from - 1) / s.segmentEvents() * s.segmentEvents() + s.segmentEvents();
        to = Math.min(to, boundary);
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
   * Loads the sealed segment starting at {@code from} into the index, if segments are on, {@code
   * from} starts a segment range, the whole range is at or below {@code target}, and the store
   * holds a readable segment there. A segment that does not decode is reported with its key and
   * skipped: its range is read from the log and the segment rebuilt from it replaces the damaged
   * one (unless it is of a newer format version, which only a newer server reads).
   */
  private boolean loadSegment(DatabaseIndex index, long from, long target) {
    var s = segments;
    if (s == null || (from - 1) % s.segmentEvents() != 0 || from - 1 + s.segmentEvents() > target) {
      return false;
    }
    var key = new IndexSegmentStore.Key(index.database(), index.generation(), from);
    var bytes = s.store().get(key);
    if (bytes.isEmpty()) {
      return false;
    }
    IndexSegment segment;
    try {
      segment = IndexSegment.decode(bytes.get());
    } catch (IndexSegment.CorruptSegmentException e) {
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
    index.load(segment);
    return true;
  }

  /** Hands the segments the index completed to the sealer. Caller holds the write lock. */
  private void seal(DatabaseIndex index) {
    var s = segments;
    if (s == null) {
      return;
    }
    for (IndexSegment segment : index.drainCompletedSegments()) {
      var key =
          new IndexSegmentStore.Key(index.database(), index.generation(), segment.firstRevision());
      boolean replace = damaged.remove(key);
      try {
        s.sealer().execute(() -> sealNow(s.store(), key, segment, replace));
      } catch (RuntimeException e) {
        // a stopped sealer (shutting down): the range stays readable from the log
        LOG.log(System.Logger.Level.WARNING, "index segment " + key + " not handed to sealer", e);
      }
    }
  }

  private static void sealNow(
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
    } catch (RuntimeException e) {
      // not sealed: the range stays readable from the log, and the next instance to complete it
      // tries again
      LOG.log(System.Logger.Level.WARNING, "sealing index segment " + key + " failed", e);
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
                              segments == null ? 0 : segments.segmentEvents())));
    }
    current.lastUse = uses.incrementAndGet();
    return current;
  }
}
