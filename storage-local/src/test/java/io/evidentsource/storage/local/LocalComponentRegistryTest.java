package io.evidentsource.storage.local;

import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.storage.tck.ComponentRegistryTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The component registry conformance suite against RocksDB. */
class LocalComponentRegistryTest extends ComponentRegistryTck {
  @RegisterExtension
  static final LocalStorageExtension LOCAL = new LocalStorageExtension("components");

  @Override
  protected ComponentRegistry registry() {
    return LOCAL.storage().componentRegistry();
  }
}
