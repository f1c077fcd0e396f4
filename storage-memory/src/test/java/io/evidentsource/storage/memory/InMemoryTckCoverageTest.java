package io.evidentsource.storage.memory;

import io.evidentsource.core.port.StorageCapabilities;
import io.evidentsource.storage.tck.TckCoverageTck;

/** The in-memory storage's tests run every suite its capabilities call for. */
class InMemoryTckCoverageTest extends TckCoverageTck {
  @Override
  protected StorageCapabilities capabilities() {
    try (var storage = InMemoryStorage.create()) {
      return storage.capabilities();
    }
  }
}
