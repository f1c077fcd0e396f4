package io.evidentsource.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.observe.IndexCacheLookup;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The in-memory index is a cache of the log: a store reports whether each read found it at the
 * revision needed, extended it from the log, or built it from the log, and estimates its heap.
 */
class IndexCacheTest {
  private final StorageAdapter log = InMemoryStorage.create().log();
  private final DatabaseName db = TckFixtures.uniqueDatabase("index-cache");

  /** A store over the shared log that records its index lookups. */
  private static EventStore store(StorageAdapter log, List<IndexCacheLookup> lookups) {
    return new EventStore(
        log,
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10),
        new EventStoreObserver() {
          @Override
          public void indexCacheLookup(DatabaseName database, IndexCacheLookup lookup) {
            lookups.add(lookup);
          }
        });
  }

  private static EventQuery all() {
    return EventQuery.of(EventSelector.any());
  }

  @Test
  void a_store_that_wrote_the_events_finds_its_index_at_head() {
    var lookups = new CopyOnWriteArrayList<IndexCacheLookup>();
    var writer = store(log, lookups);
    writer.createDatabase(db);
    writer.transact(db, Transaction.of(TckFixtures.events(3)));
    lookups.clear();

    writer.query(db, all());

    assertThat(lookups).containsExactly(IndexCacheLookup.HIT);
  }

  @Test
  void another_store_builds_its_index_from_the_log_then_extends_it() {
    var writer = store(log, new CopyOnWriteArrayList<>());
    writer.createDatabase(db);
    writer.transact(db, Transaction.of(TckFixtures.events(3)));
    var lookups = new CopyOnWriteArrayList<IndexCacheLookup>();
    var reader = store(log, lookups); // a restarted server, or another instance

    assertThat(reader.indexCacheBytes()).isZero();
    reader.query(db, all());
    long built = reader.indexCacheBytes();
    writer.transact(db, Transaction.of(TckFixtures.events(2)));
    reader.query(db, all());
    reader.query(db, all());

    assertThat(lookups)
        .containsExactly(IndexCacheLookup.MISS, IndexCacheLookup.EXTENDED, IndexCacheLookup.HIT);
    assertThat(built).isPositive();
    assertThat(reader.indexCacheBytes()).isGreaterThan(built);
  }

  @Test
  void with_a_bound_the_least_recently_used_indexes_are_dropped_and_rebuilt_on_next_use() {
    var writer = store(log, new CopyOnWriteArrayList<>());
    var dbs =
        List.of(
            TckFixtures.uniqueDatabase("lru"),
            TckFixtures.uniqueDatabase("lru"),
            TckFixtures.uniqueDatabase("lru"));
    for (var d : dbs) {
      writer.createDatabase(d);
      writer.transact(d, Transaction.of(TckFixtures.events(20)));
    }
    long one = writer.indexCacheBytes() / 3;
    var lookups = new CopyOnWriteArrayList<IndexCacheLookup>();
    var bounded =
        new EventStore(
            log,
            EventLimits.defaults(),
            Clock.systemUTC(),
            UUID::randomUUID,
            Duration.ofSeconds(10),
            new EventStoreObserver() {
              @Override
              public void indexCacheLookup(DatabaseName database, IndexCacheLookup lookup) {
                lookups.add(lookup);
              }
            },
            null,
            one * 2 + one / 2); // room for two of the three indexes

    for (var d : dbs) {
      bounded.query(d, all());
    }
    assertThat(bounded.indexCacheBytes()).isLessThanOrEqualTo(one * 2 + one / 2);
    lookups.clear();
    bounded.query(dbs.get(2), all()); // kept: used last
    bounded.query(dbs.get(0), all()); // dropped: used first
    bounded.transact(dbs.get(0), Transaction.of(TckFixtures.events(1)));

    assertThat(lookups.subList(0, 2)).containsExactly(IndexCacheLookup.HIT, IndexCacheLookup.MISS);
    assertThat(bounded.query(dbs.get(0), all()).events()).hasSize(21);
    assertThat(bounded.indexCacheBytes()).isLessThanOrEqualTo(one * 2 + one / 2);
  }
}
