package io.evidentsource.storage.local;

import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.SubscriptionTck;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class LocalSubscriptionTest extends SubscriptionTck {
  private static final Path DIR = LocalFixture.tempDir("subscription");
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

  @Override
  protected ChangeNotifications notifications() {
    return storage.storageAdapter();
  }
}
