package io.evidentsource.storage.tck;

import static io.evidentsource.core.condition.AppendCondition.max;
import static io.evidentsource.storage.tck.TckFixtures.uniqueDatabase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.core.subscription.SubscriptionItem;
import io.evidentsource.core.subscription.SubscriptionOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two instances of one storage on the same backing store, as two server processes open it: what one
 * commits, publishes or deletes the other sees, the head's compare-and-set and the idempotency
 * records hold across them, and a live tail on one follows commits made through the other. For
 * storages {@link io.evidentsource.core.port.StorageCapabilities#sharedAcrossInstances() shared
 * across instances}.
 */
public abstract class SharedStorageTck {
  private static final Instant T0 = Instant.parse("2026-05-06T07:08:09.123456789Z");

  private final ExecutorService readers = Executors.newCachedThreadPool();

  /** One instance; may be shared between tests (names are unique). */
  protected abstract Storage first();

  /** Another instance on the same tables, files or servers as {@link #first()}. */
  protected abstract Storage second();

  @AfterEach
  void stopReaders() throws InterruptedException {
    readers.shutdownNow();
    assertThat(readers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void a_commit_through_one_instance_is_read_through_the_other() {
    var one = EventStore.create(first().log());
    var other = EventStore.create(second().log());
    DatabaseName db = uniqueDatabase("shared");
    one.createDatabase(db);
    var result = one.transact(db, Transaction.of(TckFixtures.events(3)));

    assertThat(other.database(db).revision()).isEqualTo(result.revision());
    assertThat(other.query(db, EventQuery.all()).events())
        .extracting(StoredEvent::event)
        .isEqualTo(
            one.query(db, EventQuery.all()).events().stream().map(StoredEvent::event).toList());
  }

  @Test
  void the_head_compare_and_set_holds_across_instances() {
    DatabaseName db = uniqueDatabase("cas");
    var info = first().log().createDatabase(db, T0);
    var committed =
        first()
            .log()
            .append(TckFixtures.append(db, info.generation(), 0, TckFixtures.events(1), T0));
    var late =
        second()
            .log()
            .append(TckFixtures.append(db, info.generation(), 0, TckFixtures.events(1), T0));

    assertThat(committed).isInstanceOf(AppendOutcome.Committed.class);
    assertThat(late).isEqualTo(new AppendOutcome.HeadMoved(1));
  }

  @Test
  void a_condition_sees_what_the_other_instance_committed() {
    var one = EventStore.create(first().log());
    var other = EventStore.create(second().log());
    DatabaseName db = uniqueDatabase("cond");
    one.createDatabase(db);
    other.database(db); // the other instance has read the empty database
    one.transact(db, Transaction.of(TckFixtures.events(1)));

    assertThatThrownBy(
            () ->
                other.transact(
                    db,
                    Transaction.of(TckFixtures.events(1), List.of(max(EventSelector.any(), 0)))))
        .isInstanceOf(ConditionFailedException.class);
  }

  @Test
  void a_transaction_id_committed_through_one_is_a_duplicate_through_the_other() {
    var one = EventStore.create(first().log());
    var other = EventStore.create(second().log());
    DatabaseName db = uniqueDatabase("idem");
    one.createDatabase(db);
    UUID id = UUID.randomUUID();
    var original = one.transact(db, new Transaction(id, TckFixtures.events(2), List.of()));
    var retry = other.transact(db, new Transaction(id, TckFixtures.events(2), List.of()));

    assertThat(retry.duplicate()).isTrue();
    assertThat(retry.revision()).isEqualTo(original.revision());
    assertThat(other.database(db).revision()).isEqualTo(2);
  }

  @Test
  void a_component_published_through_one_is_found_through_the_other() {
    DatabaseName db = uniqueDatabase("comp");
    var info = first().log().createDatabase(db, T0);
    byte[] module = {0, 'a', 's', 'm', 1, 0, 0, 0};
    var published =
        first()
            .components()
            .add(
                db,
                info.generation(),
                ComponentKind.STATE_CHANGE,
                new StateChangeDefinition("register", null),
                module,
                T0);

    assertThat(
            second()
                .components()
                .find(db, info.generation(), ComponentKind.STATE_CHANGE, "register", null))
        .contains(published);
    assertThat(second().components().module(published.id()))
        .hasValueSatisfying(m -> assertThat(m).isEqualTo(module));
  }

  @Test
  void a_database_deleted_through_one_is_gone_through_the_other() {
    var one = EventStore.create(first().log());
    var other = EventStore.create(second().log());
    DatabaseName db = uniqueDatabase("gone");
    one.createDatabase(db);
    other.database(db);
    one.deleteDatabase(db);

    assertThatThrownBy(() -> other.database(db))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void a_live_tail_on_one_instance_follows_commits_made_through_the_other() throws Exception {
    var writer = EventStore.create(first().log());
    var reader = EventStore.create(second().log());
    DatabaseName db = uniqueDatabase("tail");
    writer.createDatabase(db);
    var engine =
        new SubscriptionEngine(
            reader,
            second().notifications(),
            readers,
            new SubscriptionOptions(64, Duration.ofSeconds(30), Duration.ofSeconds(30)));
    try (var sub = engine.subscribe(db, EventSelector.any(), 1L)) {
      writer.transact(db, Transaction.of(TckFixtures.events(2)));
      writer.transact(db, Transaction.of(TckFixtures.events(1)));
      for (long expected = 1; expected <= 3; expected++) {
        SubscriptionItem item;
        do {
          item = sub.poll(Duration.ofMillis(100));
        } while (item == null || item instanceof SubscriptionItem.Heartbeat);
        assertThat(item).isInstanceOf(SubscriptionItem.Delivered.class);
        assertThat(((SubscriptionItem.Delivered) item).event().revision()).isEqualTo(expected);
      }
    }
  }
}
