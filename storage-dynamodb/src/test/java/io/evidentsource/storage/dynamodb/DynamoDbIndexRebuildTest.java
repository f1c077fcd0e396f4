package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.IndexRebuildTck;

/**
 * An index rebuild under concurrent writers on moto: the events and the {@code -indexes} tables of
 * one table prefix.
 */
class DynamoDbIndexRebuildTest extends IndexRebuildTck {
  private final DynamoDbTables tables = DynamoDbFixture.freshTables();
  private final DynamoDbStorageAdapter log;
  private final DynamoDbIndexSegmentStore segments;

  DynamoDbIndexRebuildTest() {
    var client = DynamoDbFixture.client();
    DynamoDbSchema.ensure(client, tables, true);
    log = new DynamoDbStorageAdapter(client, tables);
    segments = new DynamoDbIndexSegmentStore(client, tables);
  }

  @Override
  protected StorageAdapter log() {
    return log;
  }

  @Override
  protected IndexSegmentStore segmentStore() {
    return segments;
  }
}
