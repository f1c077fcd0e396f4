package io.evidentsource.storage.local;

import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.storage.tck.ComponentRegistryTck;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The component registry conformance suite against RocksDB. */
class LocalComponentRegistryTest extends ComponentRegistryTck {
  private static final Path DIR = LocalFixture.tempDir("components");
  private static LocalStorage storage;

  @BeforeAll
  static void open() {
    storage = LocalFixture.open(DIR);
  }

  @AfterAll
  static void close() {
    storage.close();
    LocalFixture.delete(DIR);
  }

  @Override
  protected ComponentRegistry registry() {
    return storage.componentRegistry();
  }
}
