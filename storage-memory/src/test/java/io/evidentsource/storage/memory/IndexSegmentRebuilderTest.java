package io.evidentsource.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.index.IndexSegmentRebuilder;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Rebuilding a database's index segments from its log (ADR 0011, "Rebuild"): missing segments are
 * sealed byte for byte as the indexes seal them, readable ones kept, damaged ones replaced; a
 * second run reads no log.
 */
class IndexSegmentRebuilderTest {
  static final int SEGMENT = 5;

  private final StorageAdapter log = InMemoryStorage.create().log();
  private final IndexSegmentStore rebuilt = IndexSegmentStore.inMemory();
  private final IndexSegments segments = new IndexSegments(rebuilt, SEGMENT, Runnable::run);

  private EventStore store(@Nullable IndexSegments segments) {
    return new EventStore(
        log,
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10),
        EventStoreObserver.NONE,
        segments);
  }

  /** A database of 23 events written without segments (so none is sealed). */
  private DatabaseInfo database() {
    var writer = store(null);
    var db = TckFixtures.uniqueDatabase("rebuild");
    writer.createDatabase(db);
    var batch = new ArrayList<Event>();
    for (int r = 1; r <= 23; r++) {
      batch.add(
          Event.builder()
              .id("e" + r)
              .source("https://example.com/" + (r % 2))
              .type("T" + (r % 3))
              .subject(r % 4 == 0 ? null : "s-" + (r % 5))
              .tags("t:" + (r % 2))
              .time(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(r * 7L % 11).toString())
              .jsonData("{}")
              .build());
      if (batch.size() == 4) {
        writer.transact(db, Transaction.of(batch));
        batch.clear();
      }
    }
    writer.transact(db, Transaction.of(batch));
    return writer.database(db);
  }

  @Test
  void seals_every_whole_range_as_an_index_would_and_a_second_run_reads_no_log() {
    var info = database();
    var progress = new ArrayList<IndexSegmentRebuilder.Progress>();

    var done = new IndexSegmentRebuilder(log, segments).rebuild(info, progress::add);

    assertThat(done).isEqualTo(new IndexSegmentRebuilder.Progress(4, 4, 4, 0, 0, 20));
    assertThat(progress)
        .extracting(IndexSegmentRebuilder.Progress::rangesDone)
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(rebuilt.summaries(info.name(), info.generation()))
        .containsOnlyKeys(1L, 6L, 11L, 16L);
    // the same bytes as an index sealing the same log
    var sealedByIndex = IndexSegmentStore.inMemory();
    store(new IndexSegments(sealedByIndex, SEGMENT, Runnable::run))
        .query(info.name(), EventQuery.of(EventSelector.any()));
    for (long first : List.of(1L, 6L, 11L, 16L)) {
      var key = new IndexSegmentStore.Key(info.name(), info.generation(), first);
      assertThat(rebuilt.get(key).orElseThrow()).isEqualTo(sealedByIndex.get(key).orElseThrow());
      assertThat(rebuilt.summaries(info.name(), info.generation()).get(first))
          .isEqualTo(sealedByIndex.summaries(info.name(), info.generation()).get(first));
    }

    var again = new IndexSegmentRebuilder(log, segments).rebuild(info, p -> {});
    assertThat(again).isEqualTo(new IndexSegmentRebuilder.Progress(4, 4, 0, 0, 4, 0));
  }

  @Test
  void replaces_a_segment_that_does_not_decode_and_seals_a_missing_one() {
    var info = database();
    var rebuilder = new IndexSegmentRebuilder(log, segments);
    var unused = rebuilder.rebuild(info, p -> {});
    var damagedKey = new IndexSegmentStore.Key(info.name(), info.generation(), 6);
    byte[] sealed = rebuilt.get(damagedKey).orElseThrow();
    byte[] damaged = sealed.clone();
    damaged[damaged.length / 2] ^= 0x10;
    rebuilt.replace(damagedKey, damaged);

    var done = rebuilder.rebuild(info, p -> {});

    assertThat(done).isEqualTo(new IndexSegmentRebuilder.Progress(4, 4, 0, 1, 3, 5));
    assertThat(rebuilt.get(damagedKey).orElseThrow()).isEqualTo(sealed);
    assertThat(rebuilt.summaries(info.name(), info.generation())).containsKey(6L);
  }

  @Test
  void a_database_below_one_segment_has_nothing_to_rebuild() {
    var writer = store(null);
    var db = TckFixtures.uniqueDatabase("small");
    writer.createDatabase(db);
    writer.transact(db, Transaction.of(TckFixtures.events(4)));

    var done = new IndexSegmentRebuilder(log, segments).rebuild(writer.database(db), p -> {});

    assertThat(done).isEqualTo(IndexSegmentRebuilder.Progress.start(0));
    assertThat(rebuilt.summaries(db, 1)).isEmpty();
  }
}
