package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.storage.tck.IndexSegmentStoreTck;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The index segment store contract with every segment kept in S3 (object threshold 0): pointer
 * items in the {@code -indexes} table of a moto server, the bytes in its S3 (ADR 0011).
 */
class S3IndexSegmentStoreTest extends IndexSegmentStoreTck {
  private static final DynamoDbClient CLIENT = DynamoDbFixture.client();
  private static final S3Client S3 = DynamoDbFixture.s3();
  private static final DynamoDbTables TABLES = DynamoDbFixture.freshTables();
  private static final DynamoDbIndexSegmentStore STORE;

  static {
    DynamoDbSchema.ensure(CLIENT, TABLES, true);
    String bucket = DynamoDbFixture.freshBucket();
    ComponentBucket.ensure(S3, bucket, true);
    STORE =
        new DynamoDbIndexSegmentStore(
            CLIENT, TABLES, new IndexSegmentBucket(S3, bucket, TABLES.prefix()), 0);
  }

  @Override
  protected IndexSegmentStore store() {
    return STORE;
  }
}
