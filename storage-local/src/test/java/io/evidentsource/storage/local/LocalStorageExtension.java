package io.evidentsource.storage.local;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalStorage} per test class, in a fresh temporary data directory that is deleted
 * after the class: register it as a static {@code @RegisterExtension} field.
 */
final class LocalStorageExtension implements BeforeAllCallback, AfterAllCallback {
  private final String prefix;
  private @Nullable Path dir;
  private @Nullable LocalStorage storage;

  LocalStorageExtension(String prefix) {
    this.prefix = prefix;
  }

  LocalStorage storage() {
    if (storage == null) {
      throw new IllegalStateException("the local storage opens before the test class runs");
    }
    return storage;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    dir = LocalFixture.tempDir(prefix);
    storage = LocalFixture.open(dir);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (storage != null) {
      storage.close();
      storage = null;
    }
    if (dir != null) {
      LocalFixture.delete(dir);
    }
  }
}
