package io.evidentsource.storage.memory;

import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.EventStoreTck;

/**
 * The EventStore conformance suite with index segments on (ADR 0011): segments of 3 events, sealed
 * as soon as completed, so every test's appends seal segments across its transactions, and an index
 * cache of one byte, so every walk loads the segments it needs and drops them after. (Loading
 * segments into a cold instance is checked against the log-indexed reference by the DynamoDB
 * module's {@code SegmentDifferentialTest}.)
 */
class InMemorySegmentedEventStoreTest extends EventStoreTck {
  private final StorageAdapter adapter = InMemoryStorage.create().log();
  private final IndexSegments segments =
      new IndexSegments(IndexSegmentStore.inMemory(), 3, Runnable::run);

  @Override
  protected StorageAdapter adapter() {
    return adapter;
  }

  @Override
  protected IndexSegments segments() {
    return segments;
  }

  @Override
  protected long indexCacheBytes() {
    return 1;
  }
}
