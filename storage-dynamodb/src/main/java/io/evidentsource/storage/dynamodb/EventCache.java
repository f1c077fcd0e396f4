package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.model.StoredEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A bounded least-recently-used cache of committed events keyed by ({@code db#generation},
 * revision). Committed events never change and a re-created database has a new partition key, so an
 * entry is never stale; the cache only saves DynamoDB reads (and their cost).
 */
final class EventCache {
  private record Key(String partition, long revision) {}

  private final int capacity;
  private final LinkedHashMap<Key, StoredEvent> entries;

  /**
   * @param capacity events kept, 0 to cache nothing
   */
  EventCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
    }
    this.capacity = capacity;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, StoredEvent> eldest) {
            return size() > EventCache.this.capacity;
          }
        };
  }

  synchronized @Nullable StoredEvent get(String partition, long revision) {
    return capacity == 0 ? null : entries.get(new Key(partition, revision));
  }

  synchronized void put(String partition, StoredEvent event) {
    if (capacity > 0) {
      entries.put(new Key(partition, event.revision()), event);
    }
  }
}
