package io.evidentsource.storage.memory;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.EventStoreTck;

/** The EventStore conformance suite with the core's group commit on ({@link GroupingAdapter}). */
class GroupedEventStoreTest extends EventStoreTck {
  private final StorageAdapter adapter = new GroupingAdapter(InMemoryStorage.create().log(), 49, 0);

  @Override
  protected StorageAdapter adapter() {
    return adapter;
  }
}
