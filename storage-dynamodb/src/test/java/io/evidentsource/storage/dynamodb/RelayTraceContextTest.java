package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * A transaction's notification carries the trace context of the request that committed it even when
 * the relay's sweep publishes it before the committing request returned
 * (docs/operations.md#traces). The race is made deterministic: a client interceptor runs the sweep
 * on the committing thread right after DynamoDB answered the append's {@code TransactWriteItems},
 * before {@link PublishingStorageAdapter} gets the outcome. On moto.
 */
@Timeout(120)
class RelayTraceContextTest {
  static final Map<String, String> TRACE =
      Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

  /** A W3C traceparent whose trace id is {@code n}. */
  static Map<String, String> trace(int n) {
    return Map.of("traceparent", String.format("00-%032x-%016x-01", n, n));
  }

  /** An event store whose core reads {@code context} as every request's trace context. */
  static EventStore tracedStore(StorageAdapter adapter, Map<String, String> context) {
    return DynamoDbFixture.eventStore(
        adapter,
        null,
        new EventStoreObserver() {
          @Override
          public Map<String, String> traceContext() {
            return context;
          }
        });
  }

  /** Runs the action set last once, after the next {@code TransactWriteItems} answered. */
  static final class AfterWrite implements ExecutionInterceptor {
    final AtomicReference<Runnable> next = new AtomicReference<>();

    @Override
    public void afterExecution(
        Context.AfterExecution context, ExecutionAttributes executionAttributes) {
      if (context.request() instanceof TransactWriteItemsRequest) {
        Runnable action = next.getAndSet(null);
        if (action != null) {
          action.run();
        }
      }
    }
  }

  /** Every publish with the context it carried. */
  record Published(long revision, Map<String, String> traceContext) {}

  final AfterWrite afterWrite = new AfterWrite();
  final List<Published> published = new CopyOnWriteArrayList<>();
  DynamoDbClient client;
  DynamoDbStorageAdapter storage;
  NotificationRelay relay;

  @BeforeEach
  void relay() {
    client = DynamoDbFixture.client(afterWrite);
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    storage = new DynamoDbStorageAdapter(client, tables);
    EventPublisher publisher =
        new EventPublisher() {
          @Override
          public void publish(DatabaseName database, List<StoredEvent> transaction) {
            publish(database, transaction, Map.of());
          }

          @Override
          public void publish(
              DatabaseName database,
              List<StoredEvent> transaction,
              Map<String, String> traceContext) {
            published.add(
                new Published(transaction.get(transaction.size() - 1).revision(), traceContext));
          }
        };
    relay =
        DynamoDbFixture.relay(
            storage, client, publisher, Duration.ofSeconds(5), Duration.ofMinutes(1));
  }

  @AfterEach
  void close() {
    relay.close();
    client.close();
  }

  @Test
  void a_sweep_that_publishes_a_commit_before_its_request_returned_publishes_its_trace_context() {
    var store = tracedStore(new PublishingStorageAdapter(storage, relay, () -> trace(99)), TRACE);
    var db = TckFixtures.uniqueDatabase("traced");
    store.createDatabase(db);
    var swept = new AtomicReference<List<Published>>();
    afterWrite.next.set(
        () -> {
          relay.sweep(); // DynamoDB has the commit; the request has not seen the answer yet
          swept.set(List.copyOf(published));
        });

    store.transact(db, Transaction.of(TckFixtures.events(2)));
    relay.publishPending(db); // and the round the commit asked for has run

    assertThat(swept.get()).as("published by the sweep inside the commit").hasSize(1);
    assertThat(published).containsExactly(new Published(2, TRACE));
  }

  @Test
  void a_context_registered_for_a_write_that_lost_the_race_goes_with_no_other_commit() {
    var traced = new PublishingStorageAdapter(storage, relay, () -> TRACE);
    var untraced = EventStore.create(storage); // another instance: its commit has no context here
    var db = TckFixtures.uniqueDatabase("lost");
    var info = untraced.createDatabase(db);
    untraced.transact(db, Transaction.of(TckFixtures.events(1))); // takes revision 1

    AppendOutcome outcome =
        traced.appendGroup(
            List.of(
                new AppendRequest(
                    db,
                    info.generation(),
                    0, // read before the other writer's commit
                    TckFixtures.events(1),
                    UUID.randomUUID(),
                    Instant.now())));
    relay.publishPending(db);

    String kind = outcome.match(committed -> "committed", moved -> "moved", dup -> "duplicate");
    assertThat(kind).isEqualTo("moved");
    assertThat(published).containsExactly(new Published(1, Map.of()));
  }

  @Test
  void each_transaction_of_a_group_is_published_with_its_own_requests_context_not_the_leaders() {
    // the leader's thread has a context of its own (99); each request carries its request's
    var traced = new PublishingStorageAdapter(storage, relay, () -> trace(99));
    var db = TckFixtures.uniqueDatabase("group");
    var info = traced.createDatabase(db, Instant.now());
    Instant recorded = Instant.now();
    var requests = new java.util.ArrayList<AppendRequest>();
    for (int i = 0; i < 3; i++) {
      requests.add(
          new AppendRequest(
              db,
              info.generation(),
              2L * i,
              TckFixtures.events(2),
              UUID.randomUUID(),
              recorded,
              TransactionOrigin.UNKNOWN,
              trace(i + 1)));
    }

    AppendOutcome outcome = traced.appendGroup(requests);
    relay.publishPending(db);

    String kind = outcome.match(committed -> "committed", moved -> "moved", dup -> "duplicate");
    assertThat(kind).isEqualTo("committed");
    assertThat(published)
        .containsExactly(
            new Published(2, trace(1)), new Published(4, trace(2)), new Published(6, trace(3)));
  }

  @Test
  void without_group_commit_the_context_is_read_on_the_committing_thread() {
    var oneAtATime =
        new DynamoDbStorageAdapter(
            client,
            storage.tables(),
            DynamoDbStorageAdapter.DEFAULT_CACHED_EVENTS,
            null,
            1); // group commit off
    var store = EventStore.create(new PublishingStorageAdapter(oneAtATime, relay, () -> TRACE));
    var db = TckFixtures.uniqueDatabase("single");
    store.createDatabase(db);

    store.transact(db, Transaction.of(TckFixtures.events(1)));
    relay.publishPending(db);

    assertThat(published).containsExactly(new Published(1, TRACE));
  }
}
