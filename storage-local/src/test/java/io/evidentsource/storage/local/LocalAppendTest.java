package io.evidentsource.storage.local;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.AppendTck;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalAppendTest extends AppendTck {
  @RegisterExtension static final LocalStorageExtension LOCAL = new LocalStorageExtension("append");

  @Override
  protected StorageAdapter adapter() {
    return LOCAL.storage().storageAdapter();
  }
}
