package io.evidentsource.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.index.IndexSegment;
import io.evidentsource.core.index.SegmentSummary;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * A segment that fails to decode is never read: its range comes from the log, and the segment
 * rebuilt from the log replaces it (byte for byte the one first sealed). A segment of a newer
 * format version is bypassed the same way but left in place (ADR 0011).
 */
class SegmentRepairTest {
  static final int SEGMENT = 4;

  private final StorageAdapter log = InMemoryStorage.create().log();
  private final IndexSegmentStore segmentStore = IndexSegmentStore.inMemory();
  private final DatabaseName db = TckFixtures.uniqueDatabase("repair");

  private EventStore instance() {
    return new EventStore(
        log,
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10),
        EventStoreObserver.NONE,
        new IndexSegments(segmentStore, SEGMENT, Runnable::run));
  }

  private IndexSegmentStore.Key key(EventStore store, long first) {
    return new IndexSegmentStore.Key(db, store.database(db).generation(), first);
  }

  private static List<Long> newest(EventStore store, DatabaseName db) {
    return store
        .query(db, EventQuery.of(EventSelector.any()).withDirection(Direction.BACKWARD))
        .events()
        .stream()
        .map(StoredEvent::revision)
        .toList();
  }

  @Test
  void a_damaged_segment_is_read_from_the_log_and_replaced_by_the_rebuilt_one() {
    var writer = instance();
    writer.createDatabase(db);
    writer.transact(db, Transaction.of(TckFixtures.events(10)));
    var key = key(writer, 5);
    byte[] sealed = segmentStore.get(key).orElseThrow();
    byte[] damaged = sealed.clone();
    damaged[damaged.length / 2] ^= 0x01;
    byte[] summary = segmentStore.summaries(db, key.generation()).get(5L);
    assertThat(summary).isNotNull();
    segmentStore.replace(key, damaged); // without its summary

    assertThat(newest(instance(), db)).isEqualTo(newest(writer, db));

    assertThat(segmentStore.get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(sealed));
    assertThat(segmentStore.summaries(db, key.generation()).get(5L)).isEqualTo(summary);
  }

  @Test
  void every_sealed_segment_has_its_summary() {
    var writer = instance();
    writer.createDatabase(db);
    writer.transact(db, Transaction.of(TckFixtures.events(10)));
    var summaries = segmentStore.summaries(db, writer.database(db).generation());
    assertThat(summaries.keySet()).containsExactly(1L, 5L);
    for (var e : summaries.entrySet()) {
      var summary = SegmentSummary.decode(e.getValue());
      var segment = segmentStore.get(key(writer, e.getKey())).map(IndexSegment::decode);
      assertThat(summary.firstRevision()).isEqualTo(e.getKey());
      assertThat(summary.lastRevision()).isEqualTo(e.getKey() + SEGMENT - 1);
      assertThat(segment)
          .hasValueSatisfying(
              s -> assertThat(SegmentSummary.of(s).encode()).isEqualTo(e.getValue()));
      assertThat(summary.mayMatch(EventSelector.any())).isTrue();
    }
  }

  @Test
  void a_segment_of_a_newer_format_is_bypassed_and_left_in_place() {
    var writer = instance();
    writer.createDatabase(db);
    writer.transact(db, Transaction.of(TckFixtures.events(10)));
    var key = key(writer, 5);
    byte[] newer = segmentStore.get(key).orElseThrow();
    newer[4] = (byte) (IndexSegment.FORMAT_VERSION + 1);
    var crc = new CRC32();
    crc.update(newer, 0, newer.length - 4);
    ByteBuffer.wrap(newer).putInt(newer.length - 4, (int) crc.getValue());
    segmentStore.replace(key, newer);

    assertThat(newest(instance(), db)).isEqualTo(newest(writer, db));

    assertThat(segmentStore.get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(newer));
  }
}
