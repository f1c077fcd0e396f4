package io.evidentsource.storage.memory;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.ConcurrencyTck;

class InMemoryConcurrencyTest extends ConcurrencyTck {
  private final StorageAdapter adapter = InMemoryStorage.create().log();

  @Override
  protected StorageAdapter adapter() {
    return adapter;
  }
}
