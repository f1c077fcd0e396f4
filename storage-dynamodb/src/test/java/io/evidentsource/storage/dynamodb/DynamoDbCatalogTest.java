package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.CatalogTck;

/** The Catalog conformance suite against a real DynamoDB API (moto, see {@link MotoServer}). */
class DynamoDbCatalogTest extends CatalogTck {
  private static final StorageAdapter ADAPTER = DynamoDbFixture.adapter();

  @Override
  protected StorageAdapter adapter() {
    return ADAPTER;
  }
}
