package io.evidentsource.storage.local;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.CatalogTck;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalCatalogTest extends CatalogTck {
  @RegisterExtension
  static final LocalStorageExtension LOCAL = new LocalStorageExtension("catalog");

  @Override
  protected StorageAdapter adapter() {
    return LOCAL.storage().storageAdapter();
  }
}
