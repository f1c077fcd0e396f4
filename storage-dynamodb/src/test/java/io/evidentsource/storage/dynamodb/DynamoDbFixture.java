package io.evidentsource.storage.dynamodb;

import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Adapters on the shared single-threaded moto server, each on its own tables (a random prefix),
 * created at start as {@code create-tables} would.
 */
public final class DynamoDbFixture {
  private DynamoDbFixture() {}

  /** Connection settings for the shared moto server. */
  public static DynamoDbClients.Settings settings() {
    return new DynamoDbClients.Settings("us-east-1", MotoServer.shared().endpoint(), 5);
  }

  /** A client of the shared moto server. */
  public static DynamoDbClient client() {
    return DynamoDbClients.dynamoDb(settings());
  }

  /** An S3 client of the shared moto server. */
  public static S3Client s3() {
    return DynamoDbClients.s3(settings());
  }

  /** A fresh bucket name (not created). */
  public static String freshBucket() {
    return "components-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * A component registry on fresh tables and a fresh bucket, created at start as {@code
   * create-tables} would.
   */
  public static DynamoDbComponentRegistry componentRegistry() {
    var tables = freshTables();
    var bucket = freshBucket();
    return componentRegistry(tables, bucket, true);
  }

  /** A registry on these tables and bucket, creating them first when {@code create}. */
  public static DynamoDbComponentRegistry componentRegistry(
      DynamoDbTables tables, String bucket, boolean create) {
    var client = client();
    var s3 = s3();
    if (create) {
      DynamoDbSchema.ensure(client, tables, true);
      ComponentBucket.ensure(s3, bucket, true);
    }
    return new DynamoDbComponentRegistry(client, tables, s3, bucket);
  }

  /** A fresh table prefix. */
  public static DynamoDbTables freshTables() {
    return new DynamoDbTables("t" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** An adapter on freshly created tables. */
  public static DynamoDbStorageAdapter adapter() {
    var client = client();
    var tables = freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    return new DynamoDbStorageAdapter(client, tables);
  }
}
