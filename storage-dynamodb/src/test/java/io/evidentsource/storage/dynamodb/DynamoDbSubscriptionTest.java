package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.SubscriptionTck;

/** Live tails over the assembled DynamoDB storage, its notifications polled from the catalog. */
class DynamoDbSubscriptionTest extends SubscriptionTck {
  @Override
  protected StorageAdapter adapter() {
    return DynamoDbStorageFixture.shared().first().log();
  }

  @Override
  protected ChangeNotifications notifications() {
    return DynamoDbStorageFixture.shared().first().notifications();
  }
}
