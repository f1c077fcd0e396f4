package io.evidentsource.storage.memory;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.AppendTck;

class InMemoryAppendTest extends AppendTck {
  private final StorageAdapter adapter = InMemoryStorage.create().log();

  @Override
  protected StorageAdapter adapter() {
    return adapter;
  }
}
