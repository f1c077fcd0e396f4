package io.evidentsource.storage.memory;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.EventStoreTck;

class InMemoryEventStoreTest extends EventStoreTck {
  private final StorageAdapter adapter = InMemoryStorage.create().log();

  @Override
  protected StorageAdapter adapter() {
    return adapter;
  }
}
