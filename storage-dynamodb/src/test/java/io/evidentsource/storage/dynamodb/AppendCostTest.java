package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.storage.tck.TckFixtures;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The DynamoDB requests one append costs, counted on the wire: exactly one {@code
 * TransactWriteItems} per transaction, whatever the batch size. Prints the requests per event (the
 * numbers behind docs/benchmarks.md's cost model).
 */
class AppendCostTest {

  /** Counts requests by operation name. */
  static final class RequestCounter implements ExecutionInterceptor {
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
      counts.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
    }

    Map<String, Integer> snapshot() {
      var out = new TreeMap<String, Integer>();
      counts.forEach((k, v) -> out.put(k, v.get()));
      return out;
    }
  }

  @ParameterizedTest(name = "batch of {0}")
  @ValueSource(ints = {1, 25})
  void one_transact_write_items_per_append_whatever_the_batch_size(int batch) {
    var counter = new RequestCounter();
    DynamoDbClient client = DynamoDbFixture.client(counter);
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var store = EventStore.create(new DynamoDbStorageAdapter(client, tables));
    var db = TckFixtures.uniqueDatabase("cost");
    store.createDatabase(db);
    store.transact(db, Transaction.of(TckFixtures.events(batch))); // warm the index
    counter.counts.clear();

    int transactions = 20;
    long start = System.nanoTime();
    for (int i = 0; i < transactions; i++) {
      store.transact(db, Transaction.of(TckFixtures.events(batch)));
    }
    long nanos = System.nanoTime() - start;

    var counts = counter.snapshot();
    assertThat(counts.get("TransactWriteItems")).isEqualTo(transactions);
    assertThat(counts).doesNotContainKeys("PutItem", "BatchWriteItem");
    int requests = counts.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf(
        "append cost, batch %d: %s per %d transactions = %.2f requests/event;"
            + " %.0f events/s against moto (functional figure)%n",
        batch,
        counts,
        transactions,
        requests / (double) (transactions * batch),
        transactions * batch / (nanos / 1e9));
  }
}
