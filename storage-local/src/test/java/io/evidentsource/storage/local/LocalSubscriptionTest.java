package io.evidentsource.storage.local;

import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.SubscriptionTck;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalSubscriptionTest extends SubscriptionTck {
  @RegisterExtension
  static final LocalStorageExtension LOCAL = new LocalStorageExtension("subscription");

  @Override
  protected StorageAdapter adapter() {
    return LOCAL.storage().storageAdapter();
  }

  @Override
  protected ChangeNotifications notifications() {
    return LOCAL.storage().storageAdapter();
  }
}
