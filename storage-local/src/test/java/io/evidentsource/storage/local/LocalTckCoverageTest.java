package io.evidentsource.storage.local;

import io.evidentsource.core.port.StorageCapabilities;
import io.evidentsource.storage.tck.TckCoverageTck;

/**
 * The local storage's tests run every suite its capabilities call for: one process owns the data
 * directory, and the adapter wakes live tails on commit.
 */
class LocalTckCoverageTest extends TckCoverageTck {
  @Override
  protected StorageCapabilities capabilities() {
    return new StorageCapabilities(StorageCapabilities.Notifications.PUSH, false);
  }
}
