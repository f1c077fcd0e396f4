package io.evidentsource.storage.local;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.ConcurrencyTck;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class LocalConcurrencyTest extends ConcurrencyTck {
  private static final Path DIR = LocalFixture.tempDir("concurrency");
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
  protected StorageAdapter adapter() {
    return storage.storageAdapter();
  }
}
