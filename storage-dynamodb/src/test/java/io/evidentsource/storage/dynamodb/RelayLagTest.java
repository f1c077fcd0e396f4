package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.storage.tck.TckFixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How long a commit waits to be announced while the relay also watches many idle databases (issue
 * 11 measured 0.65 s with 6 databases and 16 s with 1,002 when the sweep read every watermark on
 * the relay's one thread). Prints the lag; asserts only that every commit is announced, in order.
 * On moto, with the default relay settings (sweep 2 s, 4 threads). {@code -Drelay.lag.databases=N}
 * sets the number of idle databases (default 200).
 */
class RelayLagTest {
  @Test
  @Timeout(600)
  void commits_are_announced_without_waiting_for_the_idle_databases() throws Exception {
    int idle = Integer.getInteger("relay.lag.databases", 200);
    var storage = DynamoDbFixture.adapter();
    var plain = EventStore.create(storage);
    for (int i = 0; i < idle; i++) {
      plain.createDatabase(DatabaseName.of(String.format("idle-%04d", i)));
    }
    var announced = new ConcurrentHashMap<Long, Long>();
    var order = new ArrayList<Long>();
    var hot = DatabaseName.of("hot");
    EventPublisher publisher =
        (db, tx) -> {
          long now = System.nanoTime();
          for (StoredEvent e : tx) {
            announced.putIfAbsent(e.revision(), now);
          }
          synchronized (order) {
            order.add(tx.get(0).revision());
          }
        };
    try (var relay =
        DynamoDbFixture.relay(
            storage,
            DynamoDbFixture.client(),
            publisher,
            DynamoDbStorage.DEFAULT_PUBLISH_LEASE,
            DynamoDbStorage.DEFAULT_PUBLISH_SWEEP)) {
      relay.start();
      var store = EventStore.create(new PublishingStorageAdapter(storage, relay));
      store.createDatabase(hot);
      int commits = 30;
      var committedAt = new HashMap<Long, Long>();
      for (int i = 0; i < commits; i++) {
        long revision = store.transact(hot, Transaction.of(TckFixtures.events(1))).revision();
        committedAt.put(revision, System.nanoTime());
        Thread.sleep(100);
      }
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (announced.size() < commits && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(announced).hasSize(commits);
      List<Long> lags = new ArrayList<>();
      committedAt.forEach((rev, at) -> lags.add(Math.max(0, announced.get(rev) - at) / 1_000_000));
      lags.sort(Long::compare);
      synchronized (order) {
        assertThat(order).isSorted();
      }
      System.out.printf(
          "relay lag with %d idle databases: p50 %d ms, p90 %d ms, max %d ms over %d commits%n",
          idle,
          lags.get(lags.size() / 2),
          lags.get(lags.size() * 9 / 10),
          lags.get(lags.size() - 1),
          commits);
    }
  }
}
