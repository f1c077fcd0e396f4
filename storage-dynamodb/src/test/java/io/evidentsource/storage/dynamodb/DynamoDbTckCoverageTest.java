package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.StorageCapabilities;
import io.evidentsource.storage.tck.TckCoverageTck;

/**
 * The DynamoDB storage's tests run every suite its capabilities call for, the shared-instances
 * suite included.
 */
class DynamoDbTckCoverageTest extends TckCoverageTck {
  @Override
  protected StorageCapabilities capabilities() {
    return DynamoDbStorageFixture.shared().first().capabilities();
  }
}
