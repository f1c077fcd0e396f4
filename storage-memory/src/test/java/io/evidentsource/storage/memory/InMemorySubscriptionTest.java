package io.evidentsource.storage.memory;

import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.SubscriptionTck;

class InMemorySubscriptionTest extends SubscriptionTck {
  private final InMemoryStorageAdapter adapter = new InMemoryStorageAdapter();

  @Override
  protected StorageAdapter adapter() {
    return adapter;
  }

  @Override
  protected ChangeNotifications notifications() {
    return adapter;
  }
}
