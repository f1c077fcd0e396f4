package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.EventStoreTck;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The EventStore conformance suite on moto with index segments on (ADR 0011): segments of 3 events
 * sealed, with their summaries, into the {@code -indexes} table as soon as completed, so every
 * test's appends seal segments across its transactions.
 */
class DynamoDbSegmentedEventStoreTest extends EventStoreTck {
  private static final DynamoDbClient CLIENT = DynamoDbFixture.client();
  private static final DynamoDbTables TABLES = DynamoDbFixture.freshTables();
  private static final StorageAdapter ADAPTER;
  private static final IndexSegments SEGMENTS;

  static {
    DynamoDbSchema.ensure(CLIENT, TABLES, true);
    ADAPTER = new DynamoDbStorageAdapter(CLIENT, TABLES);
    SEGMENTS = new IndexSegments(new DynamoDbIndexSegmentStore(CLIENT, TABLES), 3, Runnable::run);
  }

  @Override
  protected StorageAdapter adapter() {
    return ADAPTER;
  }

  @Override
  protected IndexSegments segments() {
    return SEGMENTS;
  }
}
