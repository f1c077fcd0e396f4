package io.evidentsource.core.index;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.observe.IndexCacheLookup;
import io.evidentsource.core.port.StorageAdapter;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one {@link DatabaseIndex} per database generation, built lazily from the log the first time
 * it is needed and extended incrementally. Writers to an index hold its lock; readers use snapshots
 * and never block.
 */
public final class IndexManager {
  /** Events read from storage per catch-up round trip. */
  static final int CATCH_UP_CHUNK = 1000;

  private final StorageAdapter storage;
  private final EventStoreObserver observer;
  private final ConcurrentHashMap<DatabaseName, Entry> indexes = new ConcurrentHashMap<>();

  private record Entry(DatabaseIndex index, ReentrantLock lock) {}

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
    this.storage = storage;
    this.observer = observer;
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
    entry.lock().lock();
    try {
      catchUp(entry.index(), info.revision());
      return entry.index();
    } finally {
      entry.lock().unlock();
    }
  }

  /**
   * Runs {@code action} holding the write lock of the database's index; the action may call {@link
   * #catchUp} and {@link #applyCommitted}.
   */
  public <T extends @Nullable Object> T withWriteLock(DatabaseInfo info, Supplier<T> action) {
    var entry = entry(info);
    entry.lock().lock();
    try {
      return action.get();
    } finally {
      entry.lock().unlock();
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
      long to = Math.min(target, index.revision() + CATCH_UP_CHUNK);
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
    observer.indexCacheLookup(
        index.database(), before == 0 ? IndexCacheLookup.MISS : IndexCacheLookup.EXTENDED);
  }

  /** Indexes events just committed right after the index head. Caller holds the write lock. */
  public void applyCommitted(DatabaseIndex index, List<StoredEvent> events) {
    index.apply(events);
  }

  /**
   * Like {@link #applyCommitted(DatabaseIndex, List)} with the events' {@link DatabaseIndex#idHash}
   * values already computed, one per event.
   */
  public void applyCommitted(DatabaseIndex index, List<StoredEvent> events, long[] idHashes) {
    index.apply(events, idHashes);
  }

  /** Drops the index of a deleted database. */
  public void forget(DatabaseName name) {
    indexes.remove(name);
  }

  private Entry entry(DatabaseInfo info) {
    var current = indexes.get(info.name());
    if (current != null && current.index().generation() == info.generation()) {
      return current;
    }
    return indexes.compute(
        info.name(),
        (name, existing) ->
            existing != null && existing.index().generation() == info.generation()
                ? existing
                : existing != null && existing.index().generation() > info.generation()
                    ? existing
                    : new Entry(new DatabaseIndex(name, info.generation()), new ReentrantLock()));
  }
}
