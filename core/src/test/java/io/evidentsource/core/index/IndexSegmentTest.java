package io.evidentsource.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class IndexSegmentTest {
  private static final DatabaseName DB = new DatabaseName("orders");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** Random events over few streams, subjects (some absent), types and tags. */
  static List<StoredEvent> events(int count, long seed) {
    var random = new Random(seed);
    var out = new ArrayList<StoredEvent>();
    Instant recorded = T0;
    for (int r = 1; r <= count; r++) {
      if (random.nextInt(3) == 0) {
        recorded = recorded.plusMillis(1 + random.nextInt(5)); // several events per commit
      }
      var b =
          Event.builder()
              .id("e" + r)
              .source("stream-" + random.nextInt(4))
              .type("Type" + random.nextInt(5))
              .subject(random.nextInt(6) == 0 ? null : "order-" + random.nextInt(30));
      if (random.nextBoolean()) {
        b.tags("course:c" + random.nextInt(3), "student:s" + random.nextInt(7));
      }
      if (random.nextInt(4) == 0) {
        b.time(T0.minusSeconds(random.nextInt(10_000)).toString());
      }
      out.add(new StoredEvent(r, recorded, b.build()));
    }
    return out;
  }

  static DatabaseIndex fromLog(List<StoredEvent> events, int segmentEvents) {
    var index = new DatabaseIndex(DB, 1, segmentEvents);
    for (int i = 0; i < events.size(); i += 37) {
      index.apply(events.subList(i, Math.min(events.size(), i + 37)));
    }
    return index;
  }

  @Nested
  class Encoding {
    @Test
    void round_trips_a_segment_byte_for_byte() {
      var index = fromLog(events(250, 1), 100);
      var segments = index.drainCompletedSegments();
      assertThat(segments).extracting(IndexSegment::firstRevision).containsExactly(1L, 101L);
      for (var s : segments) {
        byte[] bytes = s.encode();
        var back = IndexSegment.decode(bytes);
        assertThat(back.firstRevision()).isEqualTo(s.firstRevision());
        assertThat(back.lastRevision()).isEqualTo(s.lastRevision());
        for (Attribute a : Attribute.values()) {
          assertThat(back.keys(a).keySet()).isEqualTo(s.keys(a).keySet());
          s.keys(a).forEach((k, v) -> assertThat(back.keys(a).get(k)).containsExactly(v));
        }
        assertThat(back.noSubject()).containsExactly(s.noSubject());
        for (long r = s.firstRevision(); r <= s.lastRevision(); r++) {
          assertThat(back.effectiveNanos(r)).isEqualTo(s.effectiveNanos(r));
          assertThat(back.recordedNanos(r)).isEqualTo(s.recordedNanos(r));
          assertThat(back.idHash(r)).isEqualTo(s.idHash(r));
        }
        assertThat(back.encode()).isEqualTo(bytes);
      }
    }

    @Test
    void drained_segments_are_handed_out_once() {
      var index = fromLog(events(100, 2), 50);
      assertThat(index.drainCompletedSegments()).hasSize(2);
      assertThat(index.drainCompletedSegments()).isEmpty();
    }

    @Test
    void refuses_a_flipped_byte_anywhere() {
      byte[] bytes = fromLog(events(100, 3), 100).drainCompletedSegments().get(0).encode();
      for (int i = 0; i < bytes.length; i += Math.max(1, bytes.length / 40)) {
        byte[] damaged = bytes.clone();
        damaged[i] ^= 0x10;
        assertThatThrownBy(() -> IndexSegment.decode(damaged))
            .isInstanceOfSatisfying(
                IndexSegment.CorruptSegmentException.class,
                e -> assertThat(e.newerFormat()).as("replaceable").isFalse());
      }
    }

    @Test
    void refuses_truncated_bytes() {
      byte[] bytes = fromLog(events(100, 4), 100).drainCompletedSegments().get(0).encode();
      for (int n : new int[] {0, 10, bytes.length / 2, bytes.length - 1}) {
        byte[] cut = java.util.Arrays.copyOf(bytes, n);
        assertThatThrownBy(() -> IndexSegment.decode(cut))
            .isInstanceOf(IndexSegment.CorruptSegmentException.class);
      }
    }

    @Test
    void refuses_another_format_version_naming_it() {
      byte[] bytes = fromLog(events(100, 5), 100).drainCompletedSegments().get(0).encode();
      bytes[4] = 9;
      var crc = new java.util.zip.CRC32();
      crc.update(bytes, 0, bytes.length - 4);
      ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
      assertThatThrownBy(() -> IndexSegment.decode(bytes))
          .isInstanceOfSatisfying(
              IndexSegment.CorruptSegmentException.class,
              e -> assertThat(e.newerFormat()).as("newer: only bypassed").isTrue())
          .hasMessageContaining("version 9");
    }

    @Test
    void an_index_with_segments_keeps_only_the_unsealed_tail_in_memory() {
      var index = fromLog(events(250, 6), 100);
      assertThat(index.drainCompletedSegments())
          .extracting(IndexSegment::firstRevision)
          .containsExactly(1L, 101L);
      assertThat(index.revision()).isEqualTo(250);
      assertThat(index.tailEmpty()).isFalse();
      assertThat(index.tailRangeEnd()).isEqualTo(300);
    }
  }

  @Nested
  class Lazy_index {
    /** An index over sealed segments read through a cache of {@code bound} bytes, then a tail. */
    private DatabaseIndex lazy(List<StoredEvent> all, int segmentEvents, long bound, int[] loads) {
      var sealed = fromLog(all, segmentEvents).drainCompletedSegments();
      var stored = new java.util.HashMap<Long, byte[]>();
      for (var s : sealed) {
        stored.put(s.firstRevision(), s.encode());
      }
      var cache =
          new SegmentCache(
              ref -> {
                loads[0]++;
                return IndexSegment.decode(stored.get(ref.first()));
              },
              bound,
              () -> 0);
      var index = new DatabaseIndex(DB, 1, segmentEvents, cache);
      for (var s : sealed) {
        index.attach(
            index.key(s.firstRevision()), SegmentSummary.decode(SegmentSummary.of(s).encode()));
      }
      index.apply(all.subList((int) index.revision(), all.size()));
      return index;
    }

    @Test
    void answers_like_the_index_built_from_the_log_with_a_cache_of_one_byte() {
      int n = 1_037;
      var all = events(n, 8);
      var reference = fromLog(all, 0);
      int[] loads = {0};
      var loaded = lazy(all, 100, 1, loads);
      assertThat(loaded.revision()).isEqualTo(n);
      assertThat(loads[0]).as("attaching reads no segment").isZero();

      var random = new Random(9);
      for (int i = 0; i < 300; i++) {
        var selector = randomSelector(random, 2);
        long at = 1L + random.nextInt(n);
        var a = reference.snapshot(at);
        var b = loaded.snapshot(at);
        assertThat(b.highestMatching(selector))
            .as("%s", selector)
            .isEqualTo(a.highestMatching(selector));
        boolean forward = random.nextBoolean();
        long from = 1L + random.nextInt((int) at);
        assertThat(matches(b, selector, from, at, forward))
            .as("%s from %d to %d", selector, from, at)
            .isEqualTo(matches(a, selector, from, at, forward));
        assertThat(firstMatches(b, selector, from, at, forward, 3))
            .isEqualTo(firstMatches(a, selector, from, at, forward, 3));
        Instant t = T0.plusMillis(random.nextInt(2_000));
        assertThat(b.revisionAt(t)).as("at %s", t).isEqualTo(a.revisionAt(t));
      }
      var head = loaded.snapshot(n);
      var ref = reference.snapshot(n);
      for (long r = 1; r <= n; r++) {
        assertThat(head.effectiveNanos(r)).isEqualTo(ref.effectiveNanos(r));
      }
      for (var e : all) {
        assertThat(loaded.idCandidates(e.event().source(), e.event().id()))
            .containsExactlyInAnyOrder(reference.idCandidates(e.event().source(), e.event().id()));
      }
      assertThat(loaded.lastRecordedTime()).isEqualTo(reference.lastRecordedTime());
    }

    @Test
    void a_rare_key_loads_only_the_segments_that_may_hold_it() {
      var all = new ArrayList<>(events(1_000, 11));
      var rare =
          Event.builder().id("rare").source("stream-0").type("Type0").subject("rare-1").build();
      all.set(449, new StoredEvent(450, all.get(449).recordedTime(), rare));
      int[] loads = {0};
      var index = lazy(all, 100, Long.MAX_VALUE, loads);
      var snapshot = index.snapshot(1_000);

      assertThat(snapshot.highestMatching(EventSelector.subject("rare-1"))).isEqualTo(450);
      assertThat(loads[0]).as("about 1 %% false positives of 10 filters").isLessThanOrEqualTo(2);
      assertThat(index.idCandidates("stream-0", "rare")).contains(450L);
    }

    @Test
    void a_backward_walk_stops_in_the_newest_segment_that_answers() {
      var all = events(1_000, 12);
      int[] loads = {0};
      var index = lazy(all, 100, 1, loads);
      var newest = new ArrayList<Long>();
      index
          .snapshot(950)
          .forEachMatching(
              EventSelector.any(), 1, 950, false, r -> newest.add(r) && newest.size() < 120);
      assertThat(newest).hasSize(120).startsWith(950L, 949L).endsWith(831L);
      assertThat(loads[0]).isEqualTo(2);
    }

    @Test
    void refuses_a_segment_that_does_not_continue_the_index() {
      var sealed = fromLog(events(200, 10), 100).drainCompletedSegments();
      var index = new DatabaseIndex(DB, 1, 100, SegmentCache.residentOnly());
      assertThatThrownBy(() -> index.attach(index.key(101), SegmentSummary.of(sealed.get(1))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot load segment from 101");
    }
  }

  static List<Long> firstMatches(
      IndexSnapshot snapshot,
      EventSelector selector,
      long from,
      long to,
      boolean forward,
      int limit) {
    var out = new ArrayList<Long>();
    snapshot.forEachMatching(selector, from, to, forward, r -> out.add(r) && out.size() < limit);
    return out;
  }

  static List<Long> matches(
      IndexSnapshot snapshot, EventSelector selector, long from, long to, boolean forward) {
    var out = new ArrayList<Long>();
    snapshot.forEachMatching(selector, from, to, forward, r -> out.add(r));
    return out;
  }

  static EventSelector randomSelector(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 7 : 5);
    return switch (kind) {
      case 0 -> EventSelector.stream("stream-" + random.nextInt(5));
      case 1 ->
          random.nextInt(4) == 0
              ? EventSelector.noSubject()
              : EventSelector.subject("order-" + random.nextInt(32));
      case 2 -> EventSelector.eventType("Type" + random.nextInt(6));
      case 3 -> EventSelector.tag("course:c" + random.nextInt(4));
      case 4 ->
          EventSelector.startsWith(
              random.nextBoolean() ? Attribute.SUBJECT : Attribute.TAG,
              random.nextBoolean() ? "order-1" : "student:");
      case 5 ->
          EventSelector.and(randomSelector(random, depth - 1), randomSelector(random, depth - 1));
      default ->
          EventSelector.or(randomSelector(random, depth - 1), randomSelector(random, depth - 1));
    };
  }
}
