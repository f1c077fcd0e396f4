package io.evidentsource.storage.memory;

import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.SubscriptionTck;

/** Live tails over the assembled in-memory storage, its notifications pushed on commit. */
class InMemorySubscriptionTest extends SubscriptionTck {
  private final Storage storage = InMemoryStorage.create();

  @Override
  protected StorageAdapter adapter() {
    return storage.log();
  }

  @Override
  protected ChangeNotifications notifications() {
    return storage.notifications();
  }
}
