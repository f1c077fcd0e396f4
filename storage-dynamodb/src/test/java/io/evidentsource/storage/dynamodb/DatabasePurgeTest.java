package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Deleting a database takes it out of the catalog at once and removes its items in the background
 * at a bounded rate, resumable after a restart (issue 11). On moto.
 */
class DatabasePurgeTest {
  private final DynamoDbClient client = DynamoDbFixture.client();

  private DatabasePurger purger(DynamoDbTables tables, int itemsPerSecond) {
    return new DatabasePurger(
        client,
        tables,
        new DatabasePurger.Settings(
            UUID.randomUUID().toString(),
            itemsPerSecond,
            Duration.ofMinutes(1),
            Duration.ofMillis(200)),
        Clock.systemUTC());
  }

  private long count(String table, String keyAttribute, String prefix) {
    return client
        .scanPaginator(
            b ->
                b.tableName(table)
                    .consistentRead(true)
                    .filterExpression("begins_with(#k, :p)")
                    .expressionAttributeNames(Map.of("#k", keyAttribute))
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(prefix))))
        .items()
        .stream()
        .count();
  }

  @Test
  @Timeout(180)
  void a_deleted_database_leaves_the_catalog_and_its_items_are_purged_at_the_set_rate() {
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var storage = new DynamoDbStorageAdapter(client, tables);
    var store = EventStore.create(storage);
    var doomed = DatabaseName.of("doomed");
    var kept = DatabaseName.of("kept");
    store.createDatabase(doomed);
    store.createDatabase(kept);
    for (int i = 0; i < 12; i++) {
      store.transact(doomed, Transaction.of(TckFixtures.events(5)));
    }
    store.transact(kept, Transaction.of(TckFixtures.events(3)));
    var registry = new DynamoDbComponentRegistry(client, tables, DynamoDbFixture.s3(), bucket());
    registry.add(
        doomed,
        1,
        ComponentKind.STATE_VIEW,
        new StateViewDefinition(
            "counter",
            null,
            "application/json",
            null,
            EventSelector.any(),
            QueryTemporality.REVISION),
        new byte[] {0, 97, 115, 109},
        Instant.now());
    String doomedKey = EventItems.partition("doomed", 1);
    assertThat(count(tables.events(), DynamoDbSchema.EV_PK, doomedKey)).isEqualTo(60);
    assertThat(count(tables.transactions(), DynamoDbSchema.TX_PK, doomedKey + "#")).isEqualTo(12);

    store.deleteDatabase(doomed);

    // out of the catalog at once: the scan behind listDatabases never reads it
    assertThat(count(tables.databases(), DynamoDbSchema.DB_NAME, "")).isEqualTo(1);
    assertThat(store.listDatabases()).extracting(i -> i.name()).containsExactly(kept);
    try (var purger = purger(tables, 40)) {
      assertThat(purger.jobs()).containsExactly(Graveyard.purgeKey(doomedKey));
      long start = System.nanoTime();
      assertThat(purger.purgeAll()).isEqualTo(1);
      double seconds = (System.nanoTime() - start) / 1e9;

      // 60 events, 12 transaction records, 1 component, 1 watermark key, at most 40 items/s
      assertThat(purger.purged()).isEqualTo(74);
      System.out.printf(
          "purge: %d items in %.2f s at a limit of 40 items/s (%.1f items/s)%n",
          purger.purged(), seconds, purger.purged() / seconds);
      assertThat(seconds).as("paced at 40 items/s").isGreaterThanOrEqualTo(1.0);
      assertThat(purger.jobs()).isEmpty();
    }
    assertThat(count(tables.events(), DynamoDbSchema.EV_PK, doomedKey)).isZero();
    assertThat(count(tables.transactions(), DynamoDbSchema.TX_PK, doomedKey + "#")).isZero();
    assertThat(count(tables.components(), DynamoDbSchema.CO_PK, doomedKey + "#")).isZero();
    // the other database is untouched
    assertThat(count(tables.events(), DynamoDbSchema.EV_PK, EventItems.partition("kept", 1)))
        .isEqualTo(3);
    assertThat(store.database(kept).revision()).isEqualTo(3);

    // the name is free, with a new generation that sees none of the old events
    var again = store.createDatabase(doomed);
    assertThat(again.generation()).isEqualTo(2);
    assertThat(store.database(doomed).revision()).isZero();
  }

  private long countPartition(String table, String partition) {
    return client
        .queryPaginator(
            b ->
                b.tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", DynamoDbSchema.IX_PK))
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(partition))))
        .items()
        .stream()
        .count();
  }

  private EventStore segmentedStore(DynamoDbTables tables, int segmentEvents) {
    return new EventStore(
        new DynamoDbStorageAdapter(client, tables),
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10),
        EventStoreObserver.NONE,
        new IndexSegments(
            new DynamoDbIndexSegmentStore(client, tables), segmentEvents, Runnable::run));
  }

  @Test
  @Timeout(180)
  void a_deleted_database_leaves_none_of_its_index_segments_and_summaries() {
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var store = segmentedStore(tables, 4);
    var doomed = DatabaseName.of("doomed");
    var kept = DatabaseName.of("kept");
    store.createDatabase(doomed);
    store.createDatabase(kept);
    for (int i = 0; i < 7; i++) {
      store.transact(doomed, Transaction.of(TckFixtures.events(5))); // 35 events: 8 sealed
    }
    store.transact(kept, Transaction.of(TckFixtures.events(9))); // 2 sealed
    String doomedSegments = EventItems.partition("doomed", 1);
    String keptSegments = EventItems.partition("kept", 1);
    assertThat(countPartition(tables.indexes(), doomedSegments)).isEqualTo(8);
    assertThat(countPartition(tables.indexes(), doomedSegments + "#s")).isEqualTo(8);
    assertThat(countPartition(tables.indexes(), keptSegments)).isEqualTo(2);

    store.deleteDatabase(doomed);
    try (var purger = purger(tables, 1000)) {
      assertThat(purger.purgeAll()).isEqualTo(1);
      // 35 events, 7 transaction records, 8 segments, 8 summaries, 1 watermark key
      assertThat(purger.purged()).isEqualTo(59);
      assertThat(purger.jobs()).isEmpty();
    }
    assertThat(countPartition(tables.indexes(), doomedSegments)).isZero();
    assertThat(countPartition(tables.indexes(), doomedSegments + "#s")).isZero();
    assertThat(countPartition(tables.indexes(), keptSegments)).isEqualTo(2);
    assertThat(countPartition(tables.indexes(), keptSegments + "#s")).isEqualTo(2);

    // the re-created database seals its own segments from revision 1 again
    store.createDatabase(doomed);
    store.transact(doomed, Transaction.of(TckFixtures.events(4)));
    assertThat(countPartition(tables.indexes(), EventItems.partition("doomed", 2))).isEqualTo(1);
  }

  @Test
  @Timeout(180)
  void a_purge_cut_short_goes_on_after_a_restart() throws Exception {
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var store = EventStore.create(new DynamoDbStorageAdapter(client, tables));
    var db = DatabaseName.of("cut-short");
    store.createDatabase(db);
    for (int i = 0; i < 10; i++) {
      store.transact(db, Transaction.of(TckFixtures.events(10)));
    }
    store.deleteDatabase(db);
    String key = EventItems.partition("cut-short", 1);

    // instance 1 purges slowly and stops (a restart) before the end
    var first = purger(tables, 50);
    first.start();
    while (first.purged() < 25) {
      Thread.sleep(20);
    }
    first.close();
    long left = count(tables.events(), DynamoDbSchema.EV_PK, key);
    assertThat(left).isBetween(1L, 99L);
    assertThat(first.jobs()).hasSize(1);

    // instance 2 (after the lease lapsed) finishes it
    Thread.sleep(300);
    try (var second = purger(tables, 1000)) {
      assertThat(second.purgeAll()).isEqualTo(1);
      assertThat(second.jobs()).isEmpty();
    }
    assertThat(count(tables.events(), DynamoDbSchema.EV_PK, key)).isZero();
    assertThat(count(tables.transactions(), DynamoDbSchema.TX_PK, key + "#")).isZero();
  }

  @Test
  @Timeout(120)
  void generations_keep_counting_across_deletions_and_a_racing_creator_loses_cleanly() {
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var storage = new DynamoDbStorageAdapter(client, tables);
    var db = DatabaseName.of("again-and-again");
    for (long generation = 1; generation <= 3; generation++) {
      var created = storage.createDatabase(db, Instant.now());
      assertThat(created.generation()).isEqualTo(generation);
      storage.deleteDatabase(db);
    }
    assertThat(storage.findDatabase(db)).isEmpty();
    assertThat(storage.listDatabases()).isEmpty();
    assertThat(storage.graveyard().lastGeneration(db)).isEqualTo(3);
    assertThat(storage.createDatabase(db, Instant.now()).generation()).isEqualTo(4);
  }

  private static String bucket() {
    String bucket = DynamoDbFixture.freshBucket();
    ComponentBucket.ensure(DynamoDbFixture.s3(), bucket, true);
    return bucket;
  }
}
