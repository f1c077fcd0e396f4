package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.Storage;

/**
 * Two instances of the assembled DynamoDB storage on the same fresh tables and bucket of the shared
 * moto server, each with its own clients, as two server processes would open them. Opened once per
 * JVM and shared by the suites (database names are unique).
 */
public final class DynamoDbStorageFixture {
  private static DynamoDbStorageFixture shared;

  private final Storage first;
  private final Storage second;

  private DynamoDbStorageFixture() {
    var tables = DynamoDbFixture.freshTables();
    var bucket = DynamoDbFixture.freshBucket();
    first = instance(tables, bucket);
    second = instance(tables, bucket);
  }

  private static Storage instance(DynamoDbTables tables, String bucket) {
    return DynamoDbStorage.builder()
        .clientSettings(DynamoDbFixture.settings())
        .tables(tables)
        .componentsBucket(bucket)
        .createMissing(true)
        .build();
  }

  /** The JVM-wide pair, opened on first use (closed with the JVM). */
  public static synchronized DynamoDbStorageFixture shared() {
    if (shared == null) {
      shared = new DynamoDbStorageFixture();
    }
    return shared;
  }

  /** One instance. */
  public Storage first() {
    return first;
  }

  /** Another instance on the same tables and bucket. */
  public Storage second() {
    return second;
  }
}
