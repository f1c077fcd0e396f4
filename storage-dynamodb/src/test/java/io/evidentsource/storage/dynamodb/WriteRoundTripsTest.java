package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.dynamodb.AppendCostTest.RequestCounter;
import io.evidentsource.storage.tck.TckFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Transactions per DynamoDB round trip on one database of one instance, with 1, 8 and 64 concurrent
 * clients each appending single-event transactions guarded by a condition on its own subject (so
 * none fails): the figure group commit (issue 11) is to raise. Prints transactions per {@code
 * TransactWriteItems}, requests per transaction and transactions per second against moto (a
 * functional figure; docs/benchmarks.md), with group commit on (up to 49 transactions per write)
 * and, for the baseline, off. Asserts that every acknowledged transaction is in the log once,
 * densely; that without group commit each transaction takes its own {@code TransactWriteItems} and
 * with it concurrent clients share some.
 */
class WriteRoundTripsTest {

  @ParameterizedTest(name = "{0} clients, at most {2} transactions per write")
  @CsvSource({"1, 24, 49", "8, 6, 49", "64, 3, 49", "64, 3, 1"})
  void transactions_per_round_trip(int clients, int perClient, int group) throws Exception {
    var counter = new RequestCounter();
    DynamoDbClient client = DynamoDbFixture.client(counter);
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var adapter =
        new DynamoDbStorageAdapter(
            client, tables, DynamoDbStorageAdapter.DEFAULT_CACHED_EVENTS, null, group);
    var store = EventStore.create(adapter);
    var db = TckFixtures.uniqueDatabase("round-trips");
    store.createDatabase(db);
    store.transact(db, Transaction.of(TckFixtures.events(1))); // warm the index
    counter.counts.clear();

    var results = new ConcurrentLinkedQueue<TransactionResult>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    try {
      var futures = new ArrayList<Future<?>>();
      for (int c = 0; c < clients; c++) {
        String subject = "client-" + c;
        futures.add(
            pool.submit(
                () -> {
                  long latest = 0;
                  for (int i = 0; i < perClient; i++) {
                    var guard = AppendCondition.max(EventSelector.subject(subject), latest);
                    var r =
                        store.transact(
                            db,
                            Transaction.of(List.of(TckFixtures.event(subject)), List.of(guard)));
                    latest = r.revision();
                    results.add(r);
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
    double seconds = (System.nanoTime() - start) / 1e9;

    int transactions = clients * perClient;
    var counts = counter.snapshot();
    int writes = counts.getOrDefault("TransactWriteItems", 0);
    int requests = counts.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf(
        "write round trips, %d clients, group commit of up to %d: %d transactions, %d TransactWriteItems = %.2f"
            + " transactions per round trip, %.2f requests per transaction %s, %.1f"
            + " transactions/s against moto (functional figure)%n",
        clients,
        group,
        transactions,
        writes,
        transactions / (double) writes,
        requests / (double) transactions,
        counts,
        transactions / seconds);

    assertThat(results).hasSize(transactions);
    if (group == 1) {
      assertThat(writes).isEqualTo(transactions); // group commit off: one write per transaction
    } else if (clients > 1) {
      // concurrent clients queue behind the write in flight, so some writes carry several
      assertThat(writes).isBetween(1, transactions - 1);
    } else {
      assertThat(writes).isEqualTo(transactions); // one client waits for each write in turn
    }
    var info = store.database(db);
    assertThat(info.revision()).isEqualTo(transactions + 1L);
    assertThat(results.stream().mapToLong(TransactionResult::revision).sorted().toArray())
        .containsExactly(LongStream.rangeClosed(2, transactions + 1L).toArray());
  }
}
