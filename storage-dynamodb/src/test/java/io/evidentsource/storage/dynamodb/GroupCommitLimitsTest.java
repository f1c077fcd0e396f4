package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Group commit stays within DynamoDB's limits of one {@code TransactWriteItems} (issue 11: "within
 * 100 items / 4 MB"), on moto: transactions queued on one instance while a write is in flight go
 * out in as few writes as those limits allow, never in one that breaks them. Every {@code
 * TransactWriteItems} the adapter sends is inspected on the client side (an SDK interceptor): its
 * items counted, its put items sized as DynamoDB counts them ({@link ItemSize}), its members
 * counted by their transaction records. The first write of each case is held in the interceptor
 * until the others have read the head and queued behind it.
 */
@Timeout(600)
class GroupCommitLimitsTest {
  /** A {@code TransactWriteItems} as sent: items, bytes of its puts, transaction records. */
  record Write(int items, long putBytes, int members) {}

  final class Inspector implements ExecutionInterceptor {
    final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
    final AtomicInteger headAndRecordReads = new AtomicInteger();
    final AtomicReference<CountDownLatch> hold = new AtomicReference<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof GetItemRequest) {
        headAndRecordReads.incrementAndGet();
      }
      if (context.request() instanceof TransactWriteItemsRequest r) {
        int members = 0;
        long bytes = 0;
        for (TransactWriteItem item : r.transactItems()) {
          if (item.put() != null) {
            bytes += ItemSize.of(item.put().item());
            if (item.put().tableName().equals(tables.transactions())) {
              members++;
            }
          }
        }
        writes.add(new Write(r.transactItems().size(), bytes, members));
        CountDownLatch latch = hold.getAndSet(null);
        if (latch != null) {
          try {
            latch.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }
  }

  DynamoDbTables tables;
  Inspector inspector;
  EventStore store;
  DatabaseName db;
  final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    tables = DynamoDbFixture.freshTables();
    inspector = new Inspector();
    DynamoDbClient client = DynamoDbFixture.client(inspector);
    DynamoDbSchema.ensure(client, tables, true);
    var adapter = new DynamoDbStorageAdapter(client, tables);
    store =
        new EventStore(
            adapter,
            EventLimits.defaults(),
            Clock.systemUTC(),
            UUID::randomUUID,
            Duration.ofMinutes(2));
    db = TckFixtures.uniqueDatabase("group-limits");
    store.createDatabase(db);
    inspector.writes.clear(); // creating the database is a TransactWriteItems too
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /**
   * Sends {@code first}, holds its write, sends the others meanwhile, waits until each has read the
   * head and looked up its transaction id, then lets the write go; returns every result, in the
   * order of {@code others}.
   */
  private List<TransactionResult> queuedBehindOneWrite(Transaction first, List<Transaction> others)
      throws Exception {
    var release = new CountDownLatch(1);
    inspector.hold.set(release);
    int writesBefore = inspector.writes.size();
    Future<TransactionResult> held = pool.submit(() -> store.transact(db, first));
    TckFixtures.awaitUntil(
        "the next TransactWriteItems", () -> inspector.writes.size() > writesBefore);
    int reads = inspector.headAndRecordReads.get();
    var results = new ArrayList<Future<TransactionResult>>();
    for (Transaction tx : others) {
      results.add(pool.submit(() -> store.transact(db, tx)));
    }
    TckFixtures.awaitUntil(
        "the members' head and record reads",
        () -> inspector.headAndRecordReads.get() >= reads + 2 * others.size());
    Thread.sleep(200); // from the last read into the queue; a late member only makes more writes
    release.countDown();
    held.get();
    var out = new ArrayList<TransactionResult>();
    for (var f : results) {
      out.add(f.get());
    }
    return out;
  }

  private static Transaction transaction(int events, int dataBytes) {
    var list = new ArrayList<Event>();
    for (int i = 0; i < events; i++) {
      list.add(
          Event.builder()
              .id(UUID.randomUUID().toString())
              .source("https://example.com/limits")
              .type("com.example.filled")
              .subject("s-" + i)
              .jsonData("{\"x\":\"" + "x".repeat(dataBytes) + "\"}")
              .build());
    }
    return new Transaction(UUID.randomUUID(), list, List.of());
  }

  @Test
  @Timeout(600)
  void transactions_of_1_5_mb_go_out_two_per_write_under_the_4_mb_limit() throws Exception {
    // 25 events of 60 KB: about 1.5 MB as DynamoDB items; two fit in 4 MB, three do not
    var others = new ArrayList<Transaction>();
    for (int i = 0; i < 7; i++) {
      others.add(transaction(25, 60 * 1024));
    }

    var results = queuedBehindOneWrite(transaction(25, 60 * 1024), others);

    var writes = new ArrayList<>(inspector.writes);
    System.out.printf("group commit, 1.5 MB transactions: writes %s%n", writes);
    for (Write w : writes) {
      assertThat(w.putBytes()).as("%s", w).isLessThanOrEqualTo(DynamoDbLimits.TRANSACTION_BYTES);
      assertThat(w.items()).as("%s", w).isLessThanOrEqualTo(DynamoDbLimits.TRANSACTION_ITEMS);
    }
    var groups = writes.subList(1, writes.size()); // after the held one
    assertThat(groups).extracting(Write::members).containsOnly(2, 1).contains(2);
    assertThat(groups.stream().mapToInt(Write::members).sum()).isEqualTo(7);
    assertThat(store.database(db).revision()).isEqualTo(8 * 25);
    assertOwnRevisions(others, results);
  }

  @Test
  @Timeout(600)
  void forty_transactions_of_two_events_fill_a_write_to_exactly_100_items() throws Exception {
    // the head update plus 2 events and a record each: 1 + 3 × 33 = 100 items
    var others = new ArrayList<Transaction>();
    for (int i = 0; i < 40; i++) {
      others.add(transaction(2, 10));
    }

    var results = queuedBehindOneWrite(transaction(2, 10), others);

    var writes = new ArrayList<>(inspector.writes);
    System.out.printf("group commit, 2-event transactions: writes %s%n", writes);
    for (Write w : writes) {
      assertThat(w.items()).as("%s", w).isLessThanOrEqualTo(DynamoDbLimits.TRANSACTION_ITEMS);
    }
    var groups = writes.subList(1, writes.size());
    assertThat(groups.stream().mapToInt(Write::members).max().orElseThrow()).isEqualTo(33);
    assertThat(groups.stream().mapToInt(Write::members).sum()).isEqualTo(40);
    assertThat(store.database(db).revision()).isEqualTo(41 * 2);
    assertOwnRevisions(others, results);
  }

  /** Each transaction committed once, with revisions of its own: no two results share one. */
  private static void assertOwnRevisions(List<Transaction> sent, List<TransactionResult> results) {
    var seen = new TreeSet<Long>();
    for (int i = 0; i < sent.size(); i++) {
      var r = results.get(i);
      assertThat(r.duplicate()).isFalse();
      assertThat(r.transactionId()).isEqualTo(sent.get(i).transactionId());
      assertThat(r.eventCount()).isEqualTo(sent.get(i).events().size());
      for (long rev = r.firstRevision(); rev <= r.revision(); rev++) {
        assertThat(seen.add(rev)).as("revision %d told twice", rev).isTrue();
      }
    }
  }
}
