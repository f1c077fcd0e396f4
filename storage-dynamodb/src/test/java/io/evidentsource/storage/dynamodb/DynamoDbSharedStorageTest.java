package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.Storage;
import io.evidentsource.storage.tck.SharedStorageTck;

/** Two DynamoDB storage instances on the same tables and bucket. */
class DynamoDbSharedStorageTest extends SharedStorageTck {
  @Override
  protected Storage first() {
    return DynamoDbStorageFixture.shared().first();
  }

  @Override
  protected Storage second() {
    return DynamoDbStorageFixture.shared().second();
  }
}
