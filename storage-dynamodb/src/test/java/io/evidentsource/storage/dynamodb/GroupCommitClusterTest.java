package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.dynamodb.AppendCostTest.RequestCounter;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Group commit across instances (issue 11): 64 writers over three server instances ({@link
 * EventStore}s, each with its own DynamoDB client, adapter, index and group-commit queue) on one
 * database. Each writer claims guarded slots that seven other writers also claim ({@code
 * max(subject = slot-k, 0)}: "nobody claimed it yet"), appends an unguarded event, and sends each
 * acknowledged claim again with its transaction id through another instance. The moto server
 * answers one request at a time ({@link MotoServer}), so each {@code TransactWriteItems} is atomic
 * as in DynamoDB and the instances' groups really race on the head.
 *
 * <p>Asserts: the log is dense from 1; each slot has exactly one claim in the log and one
 * acknowledged winner, every other claim of it failed its condition; every acknowledged transaction
 * is in the log once, at the revisions it was told, and nothing else is; each re-sent claim comes
 * back as a duplicate with its original revisions; and the instances wrote fewer {@code
 * TransactWriteItems} than they acknowledged transactions (groups formed).
 */
class GroupCommitClusterTest {
  private static final int INSTANCES = 3;
  private static final int WRITERS = 64;
  private static final int SLOTS = 24;
  private static final int ROUNDS = 3;

  private record Acked(Transaction tx, TransactionResult result) {}

  @Test
  @Timeout(900)
  void writers_over_three_instances_keep_one_winner_per_slot_and_every_acknowledged_tx_once()
      throws Exception {
    var counter = new RequestCounter();
    var tables = DynamoDbFixture.freshTables();
    var stores = new ArrayList<EventStore>();
    DynamoDbStorageAdapter first = null;
    for (int i = 0; i < INSTANCES; i++) {
      DynamoDbClient client = DynamoDbFixture.client(counter);
      if (i == 0) {
        DynamoDbSchema.ensure(client, tables, true);
      }
      var adapter = new DynamoDbStorageAdapter(client, tables);
      assertThat(adapter.maxGroupTransactions()).isGreaterThan(1);
      if (first == null) {
        first = adapter;
      }
      // moto serves every instance on one thread: give contention time to settle (the default is
      // 10 s, meant for DynamoDB's latencies)
      stores.add(
          new EventStore(
              adapter,
              EventLimits.defaults(),
              Clock.systemUTC(),
              UUID::randomUUID,
              Duration.ofMinutes(2)));
    }
    var db = TckFixtures.uniqueDatabase("group-cluster");
    stores.get(0).createDatabase(db);
    counter.counts.clear();

    var acked = new ConcurrentLinkedQueue<Acked>();
    var claimsBySlot = new ConcurrentLinkedQueue<Integer>();
    var conditionFailures = new AtomicInteger();
    var otherFailures = new ConcurrentLinkedQueue<Throwable>();
    var duplicatesOk = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      var futures = new ArrayList<Future<?>>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  for (int round = 0; round < ROUNDS; round++) {
                    EventStore store = stores.get((writer + round) % INSTANCES);
                    int slot = (writer * ROUNDS + round) % SLOTS;
                    claimsBySlot.add(slot);
                    var claim =
                        new Transaction(
                            UUID.randomUUID(),
                            List.of(TckFixtures.event("slot-" + slot)),
                            List.of(AppendCondition.max(EventSelector.subject("slot-" + slot), 0)));
                    try {
                      var result = store.transact(db, claim);
                      acked.add(new Acked(claim, result));
                      var again = stores.get((writer + round + 1) % INSTANCES).transact(db, claim);
                      if (again.duplicate()
                          && again.firstRevision() == result.firstRevision()
                          && again.revision() == result.revision()) {
                        duplicatesOk.incrementAndGet();
                      }
                    } catch (ConditionFailedException e) {
                      conditionFailures.incrementAndGet();
                    } catch (RuntimeException e) {
                      otherFailures.add(e);
                    }
                    var free =
                        new Transaction(
                            UUID.randomUUID(),
                            List.of(TckFixtures.event("free-" + writer)),
                            List.of());
                    try {
                      acked.add(new Acked(free, store.transact(db, free)));
                    } catch (RuntimeException e) {
                      otherFailures.add(e);
                    }
                  }
                  return null;
                }));
      }
      for (var f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    var counts = counter.snapshot();

    assertThat(otherFailures).isEmpty();
    DatabaseInfo info = stores.get(0).database(db);
    long head = info.revision();
    var log = new ArrayList<StoredEvent>();
    for (long from = 1; from <= head; from += 1000) {
      log.addAll(first.readRange(db, info.generation(), from, Math.min(head, from + 999)));
    }
    // dense from 1
    assertThat(log).hasSize((int) head);
    for (int i = 0; i < log.size(); i++) {
      assertThat(log.get(i).revision()).isEqualTo(i + 1L);
    }
    // one claim per slot in the log, one acknowledged winner, the other claims failed
    var claimsInLog = new HashMap<String, Integer>();
    for (StoredEvent e : log) {
      String subject = e.event().subject();
      if (subject != null && subject.startsWith("slot-")) {
        claimsInLog.merge(subject, 1, Integer::sum);
      }
    }
    assertThat(claimsInLog).hasSize(SLOTS);
    assertThat(claimsInLog.values()).allMatch(n -> n == 1);
    long winners =
        acked.stream().filter(a -> !a.tx().conditions().isEmpty()).count(); // claims acked
    assertThat(winners).isEqualTo(SLOTS);
    assertThat(conditionFailures.get()).isEqualTo(claimsBySlot.size() - SLOTS);
    assertThat(duplicatesOk.get()).isEqualTo(SLOTS);
    // every acknowledged transaction once, at its revisions; nothing else in the log
    Map<String, Long> revisionById = new HashMap<>();
    for (StoredEvent e : log) {
      assertThat(revisionById.put(e.event().id(), e.revision())).isNull();
    }
    long ackedEvents = 0;
    for (Acked a : acked) {
      assertThat(a.result().duplicate()).isFalse();
      long r = a.result().firstRevision();
      for (Event e : a.tx().events()) {
        assertThat(revisionById.get(e.id())).isEqualTo(r++);
      }
      assertThat(r - 1).isEqualTo(a.result().revision());
      ackedEvents += a.tx().events().size();
    }
    assertThat(ackedEvents).isEqualTo(head);

    int writes = counts.getOrDefault("TransactWriteItems", 0);
    System.out.printf(
        "group commit, %d writers over %d instances: %d transactions acknowledged, %d failed their"
            + " condition, %d TransactWriteItems = %.2f acknowledged transactions per write,"
            + " requests %s%n",
        WRITERS,
        INSTANCES,
        acked.size(),
        conditionFailures.get(),
        writes,
        acked.size() / (double) writes,
        counts);
    assertThat(writes).isLessThan(acked.size());
  }
}
