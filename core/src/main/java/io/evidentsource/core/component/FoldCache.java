package io.evidentsource.core.component;

import java.util.LinkedHashMap;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The fold cache of {@link StateViews} (ADR 0005): least recently used entries are dropped while
 * the entries together weigh more than a byte budget or outnumber an entry bound. An entry weighs
 * the byte length of its cached state plus {@link #ENTRY_OVERHEAD_BYTES}, an estimate of the key,
 * the fold record and the map entry on the heap. An entry heavier than the whole budget is not
 * cached at all. Thread-safe (one lock; every operation is a few map steps).
 *
 * @param <K> the key: view version, generation, parameters
 * @param <V> the cached fold
 */
final class FoldCache<K, V> {
  /**
   * Heap estimate of one entry besides its state bytes: key, parameters map, fold, map node. The
   * wasm-runtime's {@code FoldCacheHeapProbe} measured 323 bytes per entry with one short parameter
   * and a one-byte state (Java 17, compressed oops); more or longer parameters cost more.
   */
  static final long ENTRY_OVERHEAD_BYTES = 320;

  private final long maxBytes;
  private final int maxEntries;
  private final ToLongFunction<V> stateBytes;
  private final LinkedHashMap<K, V> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  /**
   * @param maxBytes the byte budget of all entries (state bytes + overhead each); 0 caches nothing
   * @param maxEntries the most entries kept; 0 caches nothing
   * @param stateBytes the state byte length of a fold
   * @throws IllegalArgumentException when a bound is negative, naming it
   */
  FoldCache(long maxBytes, int maxEntries, ToLongFunction<V> stateBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("fold cache maxBytes must be >= 0, was " + maxBytes);
    }
    if (maxEntries < 0) {
      throw new IllegalArgumentException("fold cache maxEntries must be >= 0, was " + maxEntries);
    }
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
    this.stateBytes = stateBytes;
  }

  /** The cached fold of a key, marking it most recently used; null when absent. */
  synchronized @Nullable V get(K key) {
    return entries.get(key);
  }

  /**
   * Caches a fold as the most recently used entry, replacing the key's previous one, then drops the
   * least recently used entries until both bounds hold.
   *
   * @return false when the fold alone weighs more than the budget: it is not cached and the key's
   *     previous entry is dropped too
   */
  synchronized boolean put(K key, V value) {
    var previous = entries.remove(key);
    if (previous != null) {
      bytes -= weight(previous);
    }
    long weight = weight(value);
    if (weight > maxBytes || maxEntries == 0) {
      return false;
    }
    entries.put(key, value);
    bytes += weight;
    var eldest = entries.entrySet().iterator();
    while (bytes > maxBytes || entries.size() > maxEntries) {
      var entry = eldest.next();
      bytes -= weight(entry.getValue());
      eldest.remove();
    }
    return true;
  }

  /** Drops every entry whose key matches; returns how many were dropped. */
  synchronized int removeIf(Predicate<K> which) {
    int removed = 0;
    for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (which.test(entry.getKey())) {
        bytes -= weight(entry.getValue());
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  /** Whether the key is cached, without marking it used. */
  synchronized boolean contains(K key) {
    return entries.containsKey(key);
  }

  /** How many folds are cached. */
  synchronized int size() {
    return entries.size();
  }

  /** The weight of every cached fold: state bytes plus {@link #ENTRY_OVERHEAD_BYTES} each. */
  synchronized long bytes() {
    return bytes;
  }

  private long weight(V value) {
    return stateBytes.applyAsLong(value) + ENTRY_OVERHEAD_BYTES;
  }
}
