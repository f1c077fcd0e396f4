package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.storage.dynamodb.FaultProxy.Action;
import io.evidentsource.storage.tck.TckFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Appends whose DynamoDB answer is lost (issue 11, docs/dynamodb.md#outcomes), produced by a {@link
 * FaultProxy} between the adapter and the moto server: the SDK sees a closed connection, as after
 * an attempt timeout, whether or not the transaction reached DynamoDB. The adapter's client makes 2
 * attempts per request, so a retry by the SDK follows each lost answer.
 */
@Timeout(300)
class AmbiguousCommitTest {
  static final String TRANSACT = "TransactWriteItems";

  FaultProxy proxy;
  DynamoDbTables tables;
  EventStore store;
  DatabaseName db;

  @BeforeEach
  void start() {
    proxy = FaultProxy.in(MotoServer.shared().endpoint());
    var client =
        DynamoDbClients.dynamoDb(new DynamoDbClients.Settings("us-east-1", proxy.endpoint(), 2));
    tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    store = EventStore.create(new DynamoDbStorageAdapter(client, tables));
    db = TckFixtures.uniqueDatabase("ambiguous");
    store.createDatabase(db);
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  /** The log as another adapter, straight on moto, reads it. */
  private long storedEvents() {
    var direct = new DynamoDbStorageAdapter(DynamoDbFixture.client(), tables, 0);
    var info = direct.findDatabase(db).orElseThrow();
    return direct.readRange(db, info.generation(), 1, Long.MAX_VALUE).size();
  }

  @Test
  void a_commit_whose_answer_was_lost_is_reported_committed_not_as_a_duplicate() {
    // the first attempt commits but its answer is lost; the SDK's retry is cancelled because the
    // head moved and the transaction record exists: the record is this call's own
    var first = new AtomicBoolean(true);
    // creating the database is a TransactWriteItems too (catalog item and graveyard check)
    int before = proxy.count(TRANSACT);
    proxy.rule(
        (op, body) ->
            op.equals(TRANSACT) && first.getAndSet(false)
                ? Action.FORWARD_THEN_DROP
                : Action.FORWARD);

    var result = store.transact(db, Transaction.of(TckFixtures.events(2)));

    assertThat(proxy.count(TRANSACT) - before).isEqualTo(2);
    assertThat(result.duplicate()).isFalse();
    assertThat(result.firstRevision()).isEqualTo(1);
    assertThat(result.revision()).isEqualTo(2);
    assertThat(storedEvents()).isEqualTo(2);
  }

  @Test
  void a_database_whose_creation_answer_was_lost_is_created_not_reported_as_existing() {
    // the first attempt creates the catalog item but its answer is lost; the SDK's retry is
    // cancelled because the item exists: its marker says it is this call's own
    int before = proxy.count(TRANSACT);
    var first = new AtomicBoolean(true);
    proxy.rule(
        (op, body) ->
            op.equals(TRANSACT) && first.getAndSet(false)
                ? Action.FORWARD_THEN_DROP
                : Action.FORWARD);
    var name = TckFixtures.uniqueDatabase("created");

    var created = store.createDatabase(name);

    assertThat(proxy.count(TRANSACT) - before).isEqualTo(2);
    assertThat(created.name()).isEqualTo(name);
    assertThat(created.generation()).isEqualTo(1);
    assertThat(created.revision()).isZero();
    var again =
        catchThrowableOfType(EvidentSourceException.class, () -> store.createDatabase(name));
    assertThat(again.code()).isEqualTo(ErrorCode.DATABASE_EXISTS);
  }

  @Test
  void an_outcome_nobody_can_tell_is_commit_unknown_and_a_retry_returns_the_original_result() {
    // every attempt commits or is cancelled, every answer is lost, and so is the read of the
    // transaction record that would tell what happened
    var transactSeen = new AtomicBoolean();
    proxy.rule(
        (op, body) -> {
          if (op.equals(TRANSACT)) {
            transactSeen.set(true);
            return Action.FORWARD_THEN_DROP;
          }
          return transactSeen.get() && op.equals("GetItem") && body.contains(tables.transactions())
              ? Action.DROP
              : Action.FORWARD;
        });
    UUID id = UUID.randomUUID();
    var events = TckFixtures.events(3);

    var failure =
        catchThrowableOfType(
            EvidentSourceException.class,
            () -> store.transact(db, new Transaction(id, events, List.of())));

    assertThat(failure.code()).isEqualTo(ErrorCode.COMMIT_UNKNOWN);
    assertThat(failure.fields())
        .containsEntry("transaction_id", id.toString())
        .containsEntry("database", db.value());
    assertThat(failure).hasMessageContaining("transaction_id " + id);

    proxy.rule((op, body) -> Action.FORWARD);
    var retry = store.transact(db, new Transaction(id, events, List.of()));

    assertThat(retry.duplicate()).isTrue();
    assertThat(retry.transactionId()).isEqualTo(id);
    assertThat(retry.firstRevision()).isEqualTo(1);
    assertThat(retry.revision()).isEqualTo(3);
    assertThat(storedEvents()).isEqualTo(3);
  }

  @Test
  void a_transaction_that_never_arrived_is_commit_unknown_and_a_retry_appends_it_once() {
    proxy.rule((op, body) -> op.equals(TRANSACT) ? Action.DROP : Action.FORWARD);
    UUID id = UUID.randomUUID();
    var events = TckFixtures.events(1);

    var failure =
        catchThrowableOfType(
            EvidentSourceException.class,
            () -> store.transact(db, new Transaction(id, events, List.of())));

    assertThat(failure.code()).isEqualTo(ErrorCode.COMMIT_UNKNOWN);
    assertThat(failure.fields()).containsEntry("transaction_id", id.toString());
    assertThat(storedEvents()).isZero();

    proxy.rule((op, body) -> Action.FORWARD);
    var retry = store.transact(db, new Transaction(id, events, List.of()));

    assertThat(retry.duplicate()).isFalse();
    assertThat(retry.revision()).isEqualTo(1);
    assertThat(storedEvents()).isEqualTo(1);
  }

  @Test
  void a_lost_answer_after_another_writer_moved_the_head_is_retried_like_any_head_move() {
    // the append's attempts never arrive and meanwhile another instance commits: the head read
    // after the failure has moved and no record exists, so this append can never commit at its
    // old position; the event store catches up and appends at the new head without a 503
    var other = EventStore.create(new DynamoDbStorageAdapter(DynamoDbFixture.client(), tables));
    var dropped = new AtomicInteger();
    proxy.rule(
        (op, body) -> {
          if (!op.equals(TRANSACT) || dropped.get() >= 2) {
            return Action.FORWARD;
          }
          if (dropped.incrementAndGet() == 2) {
            other.transact(db, Transaction.of(TckFixtures.events(1)));
          }
          return Action.DROP;
        });

    var result = store.transact(db, Transaction.of(TckFixtures.events(1)));

    assertThat(result.duplicate()).isFalse();
    assertThat(result.firstRevision()).isEqualTo(2);
    assertThat(storedEvents()).isEqualTo(2);
  }

  @Test
  void a_group_whose_answer_was_lost_names_each_members_own_id_and_each_retry_gets_its_result()
      throws Exception {
    // the first write is held at the proxy while the others queue behind it on this instance, so
    // they go out together as one group; that group's answers and the record reads that would
    // tell its outcome are lost
    var held = new CountDownLatch(1);
    var transacts = new AtomicInteger();
    var lost = new AtomicBoolean();
    proxy.rule(
        (op, body) -> {
          if (op.equals(TRANSACT)) {
            if (transacts.incrementAndGet() == 1) {
              awaitQuietly(held);
              return Action.FORWARD;
            }
            lost.set(true);
            return Action.FORWARD_THEN_DROP;
          }
          return lost.get() && op.equals("GetItem") && body.contains(tables.transactions())
              ? Action.DROP
              : Action.FORWARD;
        });
    var pool = Executors.newCachedThreadPool();
    try {
      Future<TransactionResult> first =
          pool.submit(() -> store.transact(db, Transaction.of(TckFixtures.events(1))));
      TckFixtures.awaitUntil("the group's first write", () -> transacts.get() == 1);
      int members = 5;
      int reads = proxy.count("GetItem");
      var transactions = new ArrayList<Transaction>();
      var failures = new ArrayList<Future<EvidentSourceException>>();
      for (int i = 0; i < members; i++) {
        var tx = new Transaction(UUID.randomUUID(), TckFixtures.events(1 + i % 2), List.of());
        transactions.add(tx);
        failures.add(
            pool.submit(
                () ->
                    catchThrowableOfType(
                        EvidentSourceException.class, () -> store.transact(db, tx))));
      }
      // each member reads the head and its transaction record before it queues
      TckFixtures.awaitUntil(
          "the members' head and record reads",
          () -> proxy.count("GetItem") >= reads + 2 * members);
      Thread.sleep(200); // from its last read into the queue (not asserted: a late member only
      // forms a group of its own, with the same outcome)
      held.countDown();
      assertThat(first.get().revision()).isEqualTo(1);

      for (int i = 0; i < members; i++) {
        var failure = failures.get(i).get();
        UUID id = transactions.get(i).transactionId();
        assertThat(failure).as("member %d", i).isNotNull();
        assertThat(failure.code()).isEqualTo(ErrorCode.COMMIT_UNKNOWN);
        assertThat(failure.fields()).containsEntry("transaction_id", id.toString());
        assertThat(failure).hasMessageContaining("transaction_id " + id);
      }
      // the members shared writes: 2 attempts per group, fewer groups than members
      int groupWrites = transacts.get() - 1;
      System.out.printf(
          "a lost group answer: %d members in %d TransactWriteItems (2 attempts a group)%n",
          members, groupWrites);
      assertThat(groupWrites).isLessThan(2 * members);

      proxy.rule((op, body) -> Action.FORWARD);
      var revisions = new TreeSet<Long>();
      for (var tx : transactions) {
        var retry = store.transact(db, tx);
        assertThat(retry.duplicate())
            .as("the group committed: a retry is its original result")
            .isTrue();
        assertThat(retry.transactionId()).isEqualTo(tx.transactionId());
        assertThat(retry.eventCount()).isEqualTo(tx.events().size());
        for (long r = retry.firstRevision(); r <= retry.revision(); r++) {
          assertThat(revisions.add(r)).as("revision %d told to one member only", r).isTrue();
        }
      }
      long events = 1 + transactions.stream().mapToLong(t -> t.events().size()).sum();
      assertThat(revisions).first().isEqualTo(2L);
      assertThat(revisions).last().isEqualTo(events);
      assertThat(storedEvents()).isEqualTo(events);
    } finally {
      held.countDown();
      pool.shutdownNow();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
