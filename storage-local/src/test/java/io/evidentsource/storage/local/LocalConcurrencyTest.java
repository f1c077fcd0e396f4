package io.evidentsource.storage.local;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.ConcurrencyTck;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalConcurrencyTest extends ConcurrencyTck {
  @RegisterExtension
  static final LocalStorageExtension LOCAL = new LocalStorageExtension("concurrency");

  @Override
  protected StorageAdapter adapter() {
    return LOCAL.storage().storageAdapter();
  }
}
