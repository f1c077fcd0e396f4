package io.evidentsource.storage.memory;

import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.storage.tck.IndexSegmentStoreTck;

class InMemoryIndexSegmentStoreTest extends IndexSegmentStoreTck {
  private final IndexSegmentStore store = IndexSegmentStore.inMemory();

  @Override
  protected IndexSegmentStore store() {
    return store;
  }
}
