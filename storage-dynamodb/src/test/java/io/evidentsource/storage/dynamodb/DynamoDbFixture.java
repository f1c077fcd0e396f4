package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.UUID;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
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

  /** A client of the shared moto server whose requests and answers pass {@code interceptor}. */
  public static DynamoDbClient client(ExecutionInterceptor interceptor) {
    var builder = DynamoDbClients.configure(DynamoDbClient.builder(), settings());
    builder.overrideConfiguration(
        builder.overrideConfiguration().toBuilder().addExecutionInterceptor(interceptor).build());
    return builder.build();
  }

  /**
   * Fresh tables and a fresh bucket, both created, with a client that passes {@code interceptor}.
   *
   * @param client the DynamoDB client (its requests pass the interceptor)
   * @param s3 an S3 client
   * @param tables the fresh tables
   * @param bucket the fresh bucket's name
   */
  public record Fresh(DynamoDbClient client, S3Client s3, DynamoDbTables tables, String bucket) {}

  /** {@link Fresh} tables and bucket, created, seen through {@code interceptor}. */
  public static Fresh fresh(ExecutionInterceptor interceptor) {
    var client = client(interceptor);
    var s3 = s3();
    var tables = freshTables();
    var bucket = freshBucket();
    DynamoDbSchema.ensure(client, tables, true);
    ComponentBucket.ensure(s3, bucket, true);
    return new Fresh(client, s3, tables, bucket);
  }

  /**
   * An event store with default limits and no observer, its index sealed into {@code segments} on
   * the committing thread (null: no segments).
   */
  public static EventStore eventStore(StorageAdapter adapter, @Nullable IndexSegments segments) {
    return eventStore(adapter, segments, EventStoreObserver.NONE);
  }

  /**
   * An event store with default limits that reports to {@code observer}, its index sealed into
   * {@code segments} on the committing thread (null: no segments).
   */
  public static EventStore eventStore(
      StorageAdapter adapter, @Nullable IndexSegments segments, EventStoreObserver observer) {
    return new EventStore(
        adapter,
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10),
        observer,
        segments);
  }

  /** Appends events 1 to {@code events} of {@code event} in transactions of 25. */
  public static void appendInBatches(
      EventStore writer, DatabaseName db, int events, IntFunction<Event> event) {
    var batch = new ArrayList<Event>();
    for (int r = 1; r <= events; r++) {
      batch.add(event.apply(r));
      if (batch.size() == 25 || r == events) {
        writer.transact(db, Transaction.of(batch));
        batch.clear();
      }
    }
  }

  /**
   * A relay of its own (a random owner) reading pages of 500 events with the default threads.
   *
   * @param lease how long its leases hold
   * @param sweepInterval how often it sweeps once started
   */
  public static NotificationRelay relay(
      DynamoDbStorageAdapter storage,
      DynamoDbClient client,
      EventPublisher publisher,
      Duration lease,
      Duration sweepInterval) {
    return new NotificationRelay(
        storage,
        client,
        publisher,
        new NotificationRelay.Settings(UUID.randomUUID().toString(), lease, sweepInterval, 500),
        Clock.systemUTC());
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
