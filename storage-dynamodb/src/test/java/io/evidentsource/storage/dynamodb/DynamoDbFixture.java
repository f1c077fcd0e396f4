package io.evidentsource.storage.dynamodb;

import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

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
