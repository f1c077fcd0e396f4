package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A database whose transactions cannot be published (its broker refuses them) does not stop the
 * relay's catch-up of the others (issue 11): the sweep carries on past it, reports it with its
 * failure, and backs off before trying it again. On moto.
 */
class RelayIsolationTest {
  @Test
  void a_poisoned_database_is_reported_and_backed_off_while_the_others_are_published() {
    var storage = DynamoDbFixture.adapter();
    var store = EventStore.create(storage); // commits announced by nobody: a crashed instance
    var poisoned = DatabaseName.of("a-poisoned");
    var fine = List.of(DatabaseName.of("b-fine"), DatabaseName.of("c-fine"));
    store.createDatabase(poisoned);
    fine.forEach(store::createDatabase);
    for (var db : List.of(poisoned, fine.get(0), fine.get(1))) {
      store.transact(db, Transaction.of(TckFixtures.events(2)));
      store.transact(db, Transaction.of(TckFixtures.events(1)));
    }
    var published = new ConcurrentHashMap<DatabaseName, AtomicInteger>();
    var poisonAttempts = new AtomicInteger();
    EventPublisher publisher =
        (db, tx) -> {
          if (db.equals(poisoned)) {
            poisonAttempts.incrementAndGet();
            throw new IllegalStateException("message too long for the broker");
          }
          published.computeIfAbsent(db, k -> new AtomicInteger()).addAndGet(tx.size());
        };
    try (var relay =
        DynamoDbFixture.relay(
            storage,
            DynamoDbFixture.client(),
            publisher,
            Duration.ofSeconds(5),
            Duration.ofMinutes(1))) {

      relay.sweep(); // the poisoned database sorts first

      for (var db : fine) {
        assertThat(relay.watermark(db)).as("watermark of %s", db).isEqualTo(3);
        assertThat(published.get(db).get()).isEqualTo(3);
        assertThat(relay.pending(db)).isZero();
      }
      assertThat(relay.watermark(poisoned)).isZero();
      assertThat(relay.pending(poisoned)).isEqualTo(3);
      assertThat(relay.errors()).isEqualTo(1);
      assertThat(relay.failures()).containsOnlyKeys(poisoned);
      var failure = relay.failures().get(poisoned);
      assertThat(failure.attempts()).isEqualTo(1);
      assertThat(failure.error()).contains("message too long");

      // the next sweep, within the backoff (one sweep interval), leaves it alone
      store.transact(fine.get(0), Transaction.of(TckFixtures.events(1)));
      relay.sweep();

      assertThat(poisonAttempts.get()).isEqualTo(1);
      assertThat(relay.watermark(fine.get(0))).isEqualTo(4);
      assertThat(relay.failures()).extractingByKey(poisoned).isEqualTo(failure);
      assertThat(Map.copyOf(relay.failures())).hasSize(1);
    }
  }
}
