package io.evidentsource.storage.local;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.EventStoreTck;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalEventStoreTest extends EventStoreTck {
  @RegisterExtension
  static final LocalStorageExtension LOCAL = new LocalStorageExtension("eventstore");

  @Override
  protected StorageAdapter adapter() {
    return LOCAL.storage().storageAdapter();
  }
}
