package io.evidentsource.storage.tck;

import static io.evidentsource.storage.tck.TckFixtures.append;
import static io.evidentsource.storage.tck.TckFixtures.events;
import static io.evidentsource.storage.tck.TckFixtures.uniqueDatabase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.RevisionNotFoundException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The compare-and-set append, idempotency and reads of what was appended. */
public abstract class AppendTck {
  private static final Instant T0 = Instant.parse("2026-02-03T04:05:06.789012Z");

  /** A ready adapter; may be shared between tests (names are unique). */
  protected abstract StorageAdapter adapter();

  private StorageAdapter storage;
  private DatabaseName db;
  private long generation;

  @BeforeEach
  void createDatabase() {
    storage = adapter();
    db = uniqueDatabase("append");
    generation = storage.createDatabase(db, T0).generation();
  }

  @Test
  void commits_a_batch_at_dense_revisions_after_the_head() {
    var first = storage.append(append(db, generation, 0, events(3), T0.plusSeconds(1)));
    var second = storage.append(append(db, generation, 3, events(2), T0.plusSeconds(2)));

    assertThat(first)
        .isInstanceOfSatisfying(
            AppendOutcome.Committed.class,
            c -> {
              assertThat(c.result().firstRevision()).isEqualTo(1);
              assertThat(c.result().revision()).isEqualTo(3);
              assertThat(c.result().eventCount()).isEqualTo(3);
              assertThat(c.result().duplicate()).isFalse();
            });
    assertThat(second)
        .isInstanceOfSatisfying(
            AppendOutcome.Committed.class,
            c -> assertThat(c.result().firstRevision()).isEqualTo(4));
    DatabaseInfo info = storage.findDatabase(db).orElseThrow();
    assertThat(info.revision()).isEqualTo(5);
    assertThat(info.revisionTime()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void reports_head_moved_and_writes_nothing_when_the_expected_head_is_stale() {
    storage.append(append(db, generation, 0, events(2), T0));
    var outcome = storage.append(append(db, generation, 1, events(1), T0));
    assertThat(outcome).isEqualTo(new AppendOutcome.HeadMoved(2));
    assertThat(storage.findDatabase(db).orElseThrow().revision()).isEqualTo(2);
  }

  @Test
  void returns_the_original_result_for_a_known_transaction_id_whatever_the_head() {
    UUID id = UUID.randomUUID();
    var original =
        storage.append(new AppendRequest(db, generation, 0, events(2), id, T0.plusSeconds(1)));
    storage.append(append(db, generation, 2, events(1), T0.plusSeconds(2)));

    var retryAtOldHead =
        storage.append(new AppendRequest(db, generation, 0, events(2), id, T0.plusSeconds(3)));
    var retryAtNewHead =
        storage.append(new AppendRequest(db, generation, 3, events(2), id, T0.plusSeconds(3)));

    var committed = ((AppendOutcome.Committed) original).result();
    assertThat(retryAtOldHead).isEqualTo(new AppendOutcome.Duplicate(committed));
    assertThat(retryAtNewHead).isEqualTo(new AppendOutcome.Duplicate(committed));
    assertThat(storage.findDatabase(db).orElseThrow().revision()).isEqualTo(3);
    assertThat(storage.findTransaction(db, generation, id)).contains(committed);
    assertThat(storage.findTransaction(db, generation, UUID.randomUUID())).isEmpty();
  }

  @Test
  void keeps_the_origin_of_each_transaction_for_the_audit_apart_from_its_events() {
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    var http =
        new TransactionOrigin(
            "orders-app", "http", "req-1", "10.0.0.7", "curl/8.5 \u00e9\u00e8 \"quoted\"");
    var grpc = new TransactionOrigin("ops", "grpc", "req-2", null, null);
    List<Event> batch = events(2);
    var committed =
        ((AppendOutcome.Committed)
                storage.append(
                    new AppendRequest(db, generation, 0, batch, first, T0.plusSeconds(1), http)))
            .result();
    storage.append(
        new AppendRequest(db, generation, 2, events(1), second, T0.plusSeconds(2), grpc));

    assertThat(storage.readTransaction(db, generation, first))
        .contains(new TransactionRecord(committed, http));
    var other = storage.readTransaction(db, generation, second).orElseThrow();
    assertThat(other.origin()).isEqualTo(grpc);
    assertThat(other.result().firstRevision()).isEqualTo(3);
    assertThat(other.result().revision()).isEqualTo(3);
    assertThat(other.result().recordedTime()).isEqualTo(T0.plusSeconds(2));
    assertThat(storage.readTransaction(db, generation, UUID.randomUUID())).isEmpty();
    // the events are stored as they were sent: nothing of the origin is added to them
    assertThat(storage.readRange(db, generation, 1, 2))
        .extracting(StoredEvent::event)
        .isEqualTo(batch);
  }

  @Test
  void a_transaction_without_a_described_origin_reads_back_as_unknown() {
    UUID id = UUID.randomUUID();
    storage.append(new AppendRequest(db, generation, 0, events(1), id, T0));
    assertThat(storage.readTransaction(db, generation, id).orElseThrow().origin())
        .isEqualTo(TransactionOrigin.UNKNOWN);
  }

  @Test
  void reads_back_events_exactly_with_revision_and_recorded_time() {
    List<Event> batch = events(3);
    storage.append(append(db, generation, 0, batch, T0.plusMillis(5)));
    storage.append(append(db, generation, 3, events(2), T0.plusMillis(9)));

    List<StoredEvent> range = storage.readRange(db, generation, 1, 5);
    assertThat(range).extracting(StoredEvent::revision).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(range.subList(0, 3)).extracting(StoredEvent::event).isEqualTo(batch);
    assertThat(range)
        .extracting(StoredEvent::recordedTime)
        .containsExactly(
            T0.plusMillis(5),
            T0.plusMillis(5),
            T0.plusMillis(5),
            T0.plusMillis(9),
            T0.plusMillis(9));
  }

  @Test
  void stamps_the_recorded_time_it_is_given_even_before_the_database_was_created() {
    // a restore replays an export's recorded times (docs/rest.md#restoring-an-export)
    Instant past = Instant.parse("1999-12-31T23:59:59.999999999Z");
    Instant later = Instant.parse("2000-01-01T00:00:00.000000001Z");
    UUID id = UUID.randomUUID();
    storage.append(new AppendRequest(db, generation, 0, events(2), id, past));
    storage.append(append(db, generation, 2, events(1), later));

    assertThat(storage.readRange(db, generation, 1, 3))
        .extracting(StoredEvent::recordedTime)
        .containsExactly(past, past, later);
    assertThat(storage.readRevisions(db, generation, new long[] {3, 1}))
        .extracting(StoredEvent::recordedTime)
        .containsExactly(later, past);
    DatabaseInfo info = storage.findDatabase(db).orElseThrow();
    assertThat(info.revisionTime()).isEqualTo(later);
    assertThat(info.createdAt()).isEqualTo(T0);
    assertThat(storage.findTransaction(db, generation, id).orElseThrow().recordedTime())
        .isEqualTo(past);
  }

  @Test
  void an_append_begun_on_a_pending_one_builds_on_it_and_counts_once_awaited() {
    // a pipelined adapter may return from beginAppend before the sync; every adapter keeps the
    // compare-and-set on the head including begun appends, and awaitDurable publishes them
    UUID id = UUID.randomUUID();
    var first =
        storage.beginAppend(new AppendRequest(db, generation, 0, events(2), id, T0.plusSeconds(1)));
    var second = storage.beginAppend(append(db, generation, 2, events(1), T0.plusSeconds(2)));
    var stale = storage.beginAppend(append(db, generation, 2, events(1), T0.plusSeconds(3)));
    var retry =
        storage.beginAppend(new AppendRequest(db, generation, 3, events(2), id, T0.plusSeconds(3)));

    var firstResult = ((AppendOutcome.Committed) first).result();
    assertThat(firstResult.revision()).isEqualTo(2);
    assertThat(second)
        .isInstanceOfSatisfying(
            AppendOutcome.Committed.class,
            c -> assertThat(c.result().firstRevision()).isEqualTo(3));
    assertThat(stale).isEqualTo(new AppendOutcome.HeadMoved(3));
    assertThat(retry).isEqualTo(new AppendOutcome.Duplicate(firstResult));
    storage.awaitDurable(db, generation, 3);
    storage.awaitDurable(db, generation, 2); // durable already: returns at once

    DatabaseInfo info = storage.findDatabase(db).orElseThrow();
    assertThat(info.revision()).isEqualTo(3);
    assertThat(info.revisionTime()).isEqualTo(T0.plusSeconds(2));
    assertThat(storage.readRange(db, generation, 1, 10))
        .extracting(StoredEvent::revision)
        .containsExactly(1L, 2L, 3L);
  }

  @Test
  void range_reads_stop_at_the_head() {
    storage.append(append(db, generation, 0, events(2), T0));
    assertThat(storage.readRange(db, generation, 1, 100)).hasSize(2);
    assertThat(storage.readRange(db, generation, 3, 100)).isEmpty();
  }

  @Test
  void reads_random_revisions_in_the_order_asked() {
    storage.append(append(db, generation, 0, events(10), T0));
    var read = storage.readRevisions(db, generation, new long[] {7, 2, 9, 2});
    assertThat(read).extracting(StoredEvent::revision).containsExactly(7L, 2L, 9L, 2L);
  }

  @Test
  void reading_a_revision_beyond_the_head_fails() {
    storage.append(append(db, generation, 0, events(2), T0));
    assertThatThrownBy(() -> storage.readRevisions(db, generation, new long[] {3}))
        .isInstanceOfSatisfying(
            RevisionNotFoundException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.REVISION_NOT_FOUND);
              assertThat(e.database()).isEqualTo(db.value());
              assertThat(e.revision()).isEqualTo(3);
              assertThat(e.headRevision()).isEqualTo(2);
            });
  }

  @Test
  void keeps_every_data_form_and_extension_exactly() {
    Event rich =
        Event.builder()
            .id("rich-1")
            .source("urn:example:λ")
            .type("t")
            .subject(null)
            .time("2021-08-19T12:16:32.000-04:00")
            .dataContentType("application/octet-stream")
            .dataSchema("https://example.com/schema")
            .extension("flag", true)
            .extension("count", 42)
            .extension("tags", "a:1, b:2")
            .data(new io.evidentsource.core.model.EventData.Binary(new byte[] {0, 1, (byte) 255}))
            .build();
    storage.append(append(db, generation, 0, List.of(rich), T0));
    var back = storage.readRevisions(db, generation, new long[] {1}).get(0).event();
    assertThat(back).isEqualTo(rich);
    assertThat(Objects.requireNonNull(back.time(), "time").text())
        .isEqualTo("2021-08-19T12:16:32.000-04:00");
  }

  @Test
  void append_to_an_unknown_database_is_not_found() {
    var missing = uniqueDatabase("missing");
    assertThatThrownBy(() -> storage.append(append(missing, 1, 0, events(1), T0)))
        .isInstanceOfSatisfying(
            DatabaseNotFoundException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND);
              assertThat(e.database()).isEqualTo(missing.value());
            });
  }
}
