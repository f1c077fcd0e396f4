package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.port.StorageCapabilities;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The module assembled by {@link DynamoDbStorage}'s builder, on the moto server. */
class DynamoDbStorageTest {

  static DynamoDbStorage.Builder fresh() {
    return DynamoDbStorage.builder()
        .clients(DynamoDbFixture.client(), DynamoDbFixture.s3())
        .tables(DynamoDbFixture.freshTables())
        .componentsBucket(DynamoDbFixture.freshBucket())
        .createMissing(true);
  }

  @Test
  void creates_tables_and_bucket_and_says_it_polls_and_may_be_shared() {
    try (Storage storage = fresh().build()) {
      assertThat(storage.capabilities())
          .isEqualTo(new StorageCapabilities(StorageCapabilities.Notifications.POLLING, true));
      assertThat(storage.log()).isInstanceOf(DynamoDbStorageAdapter.class);
      assertThat(storage.components()).isInstanceOf(DynamoDbComponentRegistry.class);

      var db = TckFixtures.uniqueDatabase("assembled");
      var info = storage.log().createDatabase(db, Instant.parse("2026-01-01T00:00:00Z"));
      var view =
          new StateViewDefinition(
              "v", null, "application/json", null, EventSelector.any(), QueryTemporality.REVISION);
      storage
          .components()
          .add(
              db,
              info.generation(),
              ComponentKind.STATE_VIEW,
              view,
              new byte[] {1},
              info.createdAt());
      assertThat(storage.components().find(db, info.generation(), ComponentKind.STATE_VIEW, "v", 1))
          .isPresent();
    }
  }

  @Test
  @Timeout(60)
  void announces_each_commit_through_its_publisher_and_closes_the_publishers_resources()
      throws InterruptedException {
    var announced = new LinkedBlockingQueue<List<StoredEvent>>();
    var publisherClosed = new AtomicBoolean();
    DatabaseName db = TckFixtures.uniqueDatabase("announced");
    try (Storage storage =
        fresh()
            .publisher((database, tx) -> announced.add(tx))
            .closeWithStorage(() -> publisherClosed.set(true))
            .publishSweep(Duration.ofMillis(300))
            .build()) {
      var store = EventStore.create(storage.log());
      store.createDatabase(db);
      var result = store.transact(db, Transaction.of(TckFixtures.events(3)));

      List<StoredEvent> tx = announced.poll(30, TimeUnit.SECONDS);
      assertThat(tx).isNotNull();
      assertThat(tx).extracting(StoredEvent::revision).containsExactly(1L, 2L, 3L);
      assertThat(result.revision()).isEqualTo(3);
      assertThat(publisherClosed).isFalse();
    }
    assertThat(publisherClosed).isTrue();
  }

  @Test
  void a_failed_start_names_the_missing_tables_and_closes_what_it_was_given() {
    var publisherClosed = new AtomicBoolean();
    var tables = DynamoDbFixture.freshTables();
    assertThatThrownBy(
            () ->
                fresh()
                    .tables(tables)
                    .createMissing(false)
                    .publisher((database, tx) -> {})
                    .closeWithStorage(() -> publisherClosed.set(true))
                    .build())
        .isInstanceOf(DynamoDbSetupException.class)
        .hasMessageContaining("table '" + tables.databases() + "' is missing");
    assertThat(publisherClosed).isTrue();
  }

  @Test
  void refuses_relay_and_poll_settings_out_of_range_naming_them() {
    assertThatThrownBy(() -> DynamoDbStorage.builder().relayEventsPerRound(99))
        .hasMessageContaining("relayEventsPerRound must be >= 100, was 99");
    assertThatThrownBy(() -> DynamoDbStorage.builder().pollInterval(Duration.ZERO))
        .hasMessageContaining("pollInterval must be positive");
    assertThatThrownBy(() -> DynamoDbStorage.builder().build())
        .hasMessageContaining("components bucket");
  }
}
