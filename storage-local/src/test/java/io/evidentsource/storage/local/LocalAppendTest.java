package io.evidentsource.storage.local;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.AppendTck;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class LocalAppendTest extends AppendTck {
  private static final Path DIR = LocalFixture.tempDir("append");
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
