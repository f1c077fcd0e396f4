package io.evidentsource.storage.memory;

import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.IndexRebuildTck;

/** An index rebuild under concurrent writers on the heap log and segment store. */
class InMemoryIndexRebuildTest extends IndexRebuildTck {
  private final StorageAdapter log = InMemoryStorage.create().log();
  private final IndexSegmentStore segments = IndexSegmentStore.inMemory();

  @Override
  protected StorageAdapter log() {
    return log;
  }

  @Override
  protected IndexSegmentStore segmentStore() {
    return segments;
  }
}
