package io.evidentsource.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Deleting a database drops its sealed segments from the in-memory segment store (ADR 0011). */
class DeletedDatabaseSegmentsTest {
  private final IndexSegmentStore segmentStore = IndexSegmentStore.inMemory();
  private final EventStore store =
      new EventStore(
          InMemoryStorage.create().log(),
          EventLimits.defaults(),
          Clock.systemUTC(),
          UUID::randomUUID,
          Duration.ofSeconds(10),
          EventStoreObserver.NONE,
          new IndexSegments(segmentStore, 3, Runnable::run));

  @Test
  void a_deleted_database_leaves_no_segments_and_another_keeps_its_own() {
    var doomed = TckFixtures.uniqueDatabase("doomed");
    var kept = TckFixtures.uniqueDatabase("kept");
    store.createDatabase(doomed);
    store.createDatabase(kept);
    store.transact(doomed, Transaction.of(TckFixtures.events(7))); // 2 sealed
    store.transact(kept, Transaction.of(TckFixtures.events(3))); // 1 sealed
    assertThat(segmentStore.summaries(doomed, 1)).hasSize(2);
    assertThat(segmentStore.get(new IndexSegmentStore.Key(doomed, 1, 4))).isPresent();

    store.deleteDatabase(doomed);

    assertThat(segmentStore.summaries(doomed, 1)).isEmpty();
    assertThat(segmentStore.get(new IndexSegmentStore.Key(doomed, 1, 1))).isEmpty();
    assertThat(segmentStore.get(new IndexSegmentStore.Key(doomed, 1, 4))).isEmpty();
    assertThat(segmentStore.summaries(kept, 1)).hasSize(1);
    assertThat(segmentStore.get(new IndexSegmentStore.Key(kept, 1, 1))).isPresent();
  }
}
