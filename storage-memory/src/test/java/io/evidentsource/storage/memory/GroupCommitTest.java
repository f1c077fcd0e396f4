package io.evidentsource.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The core's group commit (docs/dynamodb.md#group-commit) on the in-memory log: concurrent
 * transactions of one database are evaluated in order, against the log and the members before them
 * in the group, written together, and each gets its own result or error.
 */
@Timeout(60)
class GroupCommitTest {
  private final GroupingAdapter adapter =
      new GroupingAdapter(InMemoryStorage.create().log(), 49, 20);
  private final EventStore store = EventStore.create(adapter);
  private final ExecutorService pool = Executors.newFixedThreadPool(32);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Runs {@code n} tasks at once (released together) and returns their outcomes in order. */
  private <T> List<Object> together(int n, java.util.function.IntFunction<Callable<T>> task)
      throws Exception {
    var start = new CountDownLatch(1);
    var futures = new ArrayList<Future<Object>>();
    for (int i = 0; i < n; i++) {
      Callable<T> c = task.apply(i);
      futures.add(
          pool.submit(
              () -> {
                start.await();
                try {
                  return c.call();
                } catch (RuntimeException e) {
                  return e;
                }
              }));
    }
    start.countDown();
    var out = new ArrayList<Object>();
    for (var f : futures) {
      out.add(f.get());
    }
    return out;
  }

  @Test
  void concurrent_transactions_share_writes_and_each_gets_its_own_dense_revisions()
      throws Exception {
    var db = TckFixtures.uniqueDatabase("group");
    store.createDatabase(db);
    int clients = 32;
    long each = 5;
    var results = new ConcurrentLinkedQueue<TransactionResult>();
    together(
        clients,
        c ->
            () -> {
              long latest = 0;
              for (int i = 0; i < each; i++) {
                var guard = AppendCondition.max(EventSelector.subject("client-" + c), latest);
                var r =
                    store.transact(
                        db,
                        Transaction.of(List.of(TckFixtures.event("client-" + c)), List.of(guard)));
                latest = r.revision();
                results.add(r);
              }
              return null;
            });
    assertThat(results.stream().mapToLong(TransactionResult::revision).sorted().toArray())
        .containsExactly(LongStream.rangeClosed(1, clients * each).toArray());
    assertThat(store.database(db).revision()).isEqualTo(clients * each);
    assertThat((long) adapter.writes()).isLessThan(clients * each); // some writes carried several
  }

  @Test
  void each_member_of_a_group_carries_the_trace_context_of_its_own_thread() throws Exception {
    EventStoreObserver observer =
        new EventStoreObserver() {
          @Override
          public Map<String, String> traceContext() {
            Map<String, String> headers = TRACE_CONTEXT.get();
            return headers == null ? Map.of() : headers;
          }
        };
    var traced =
        new EventStore(
            adapter,
            EventLimits.defaults(),
            Clock.systemUTC(),
            UUID::randomUUID,
            Duration.ofSeconds(10),
            observer);
    var db = TckFixtures.uniqueDatabase("traced");
    traced.createDatabase(db);
    int clients = 16;
    var ids = new ArrayList<UUID>();
    for (int i = 0; i < clients; i++) {
      ids.add(new UUID(0, i + 1));
    }
    together(
        clients,
        i ->
            () -> {
              TRACE_CONTEXT.set(traceparent(i));
              try {
                return traced.transact(
                    db, new Transaction(ids.get(i), TckFixtures.events(1), List.of()));
              } finally {
                TRACE_CONTEXT.remove();
              }
            });

    assertThat(adapter.writes()).as("groups formed").isLessThan(clients);
    var requests = adapter.requests();
    assertThat(requests).hasSize(clients);
    for (var r : requests) {
      int client = ids.indexOf(r.transactionId());
      assertThat(r.traceContext()).as("client %d", client).isEqualTo(traceparent(client));
    }
  }

  /** The trace context of the client running on this thread. */
  private static final ThreadLocal<Map<String, String>> TRACE_CONTEXT = new ThreadLocal<>();

  /** A W3C traceparent whose trace id names client {@code i}. */
  private static Map<String, String> traceparent(int i) {
    return Map.of("traceparent", String.format("00-%032x-%016x-01", i + 1, i + 1));
  }

  @Test
  void of_competing_claims_in_one_group_the_first_wins_and_the_others_fail_their_condition()
      throws Exception {
    var db = TckFixtures.uniqueDatabase("group");
    store.createDatabase(db);
    var slot = EventSelector.subject("slot");
    var outcomes =
        together(
            16,
            i ->
                () ->
                    store.transact(
                        db,
                        Transaction.of(
                            List.of(TckFixtures.event("slot")),
                            List.of(AppendCondition.max(slot, 0)))));
    var winners = outcomes.stream().filter(o -> o instanceof TransactionResult).toList();
    assertThat(winners).hasSize(1);
    long won = ((TransactionResult) winners.get(0)).revision();
    var losers = outcomes.stream().filter(o -> o instanceof ConditionFailedException).toList();
    assertThat(losers).hasSize(15);
    for (Object o : losers) {
      assertThat(((ConditionFailedException) o).failures().get(0).actualRevision()).isEqualTo(won);
    }
    assertThat(store.database(db).revision()).isEqualTo(1);
  }

  @Test
  void a_transaction_id_sent_many_times_at_once_commits_once() throws Exception {
    var db = TckFixtures.uniqueDatabase("group");
    store.createDatabase(db);
    var tx = new Transaction(UUID.randomUUID(), List.of(TckFixtures.event("once")), List.of());
    var outcomes = together(8, i -> () -> store.transact(db, tx));
    assertThat(outcomes).allMatch(o -> o instanceof TransactionResult);
    var results = outcomes.stream().map(o -> (TransactionResult) o).toList();
    assertThat(results).filteredOn(r -> !r.duplicate()).hasSize(1);
    assertThat(results).allMatch(r -> r.firstRevision() == 1 && r.revision() == 1);
    assertThat(store.database(db).revision()).isEqualTo(1);
  }

  @Test
  void members_of_a_group_whose_answer_was_lost_are_each_told_their_own_transaction_id()
      throws Exception {
    var db = TckFixtures.uniqueDatabase("group");
    store.createDatabase(db);
    adapter.loseAnswerOfWrite(2); // the first write is one member; the rest queue behind it
    var txs = new ArrayList<Transaction>();
    for (int i = 0; i < 8; i++) {
      txs.add(new Transaction(UUID.randomUUID(), List.of(TckFixtures.event("lost")), List.of()));
    }
    var outcomes = together(8, i -> () -> store.transact(db, txs.get(i)));
    int unknown = 0;
    for (int i = 0; i < 8; i++) {
      Object o = outcomes.get(i);
      String id = String.valueOf(txs.get(i).transactionId());
      if (o instanceof EvidentSourceException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.COMMIT_UNKNOWN);
        assertThat(e.fields()).containsEntry("transaction_id", id);
        assertThat(e.getMessage()).contains(id);
        unknown++;
        var retry = store.transact(db, txs.get(i)); // the same id: the original result
        assertThat(retry.duplicate()).isTrue();
      } else {
        assertThat(o).isInstanceOf(TransactionResult.class);
      }
    }
    assertThat(unknown).isPositive();
    assertThat(store.database(db).revision()).isEqualTo(8);
  }

  @Test
  void an_event_id_sent_in_two_transactions_at_once_is_stored_once() throws Exception {
    var db = TckFixtures.uniqueDatabase("group");
    store.createDatabase(db);
    Event event = TckFixtures.event("twice");
    var outcomes = together(6, i -> () -> store.transact(db, Transaction.of(List.of(event))));
    assertThat(outcomes).filteredOn(o -> o instanceof TransactionResult).hasSize(1);
    assertThat(outcomes)
        .filteredOn(o -> !(o instanceof TransactionResult))
        .allMatch(
            o -> o instanceof EvidentSourceException e && e.code() == ErrorCode.DUPLICATE_EVENT_ID);
    List<StoredEvent> log = adapter.readRange(db, store.database(db).generation(), 1, 10);
    assertThat(log).hasSize(1);
  }
}
