package io.evidentsource.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SegmentSummaryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static List<IndexSegment> segments(List<StoredEvent> events, int size) {
    return IndexSegmentTest.fromLog(events, size).drainCompletedSegments();
  }

  /** A random selector over keys of the test events and keys no event has. */
  private static EventSelector randomSelector(Random random, int depth) {
    int kind = random.nextInt(depth > 1 ? 6 : 9);
    return switch (kind) {
      case 0 ->
          EventSelector.and(randomSelector(random, depth + 1), randomSelector(random, depth + 1));
      case 1 ->
          EventSelector.or(randomSelector(random, depth + 1), randomSelector(random, depth + 1));
      case 2 -> new EventSelector.Equals(Attribute.SUBJECT, null);
      case 3, 4 ->
          new EventSelector.StartsWith(
              randomAttribute(random), prefix(randomKey(random), random.nextInt(9)));
      default -> new EventSelector.Equals(randomAttribute(random), randomKey(random));
    };
  }

  private static String prefix(String key, int length) {
    return key.substring(0, Math.min(length, key.length()));
  }

  private static Attribute randomAttribute(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> Attribute.STREAM;
      case 1 -> Attribute.SUBJECT;
      case 2 -> Attribute.EVENT_TYPE;
      default -> Attribute.TAG;
    };
  }

  private static String randomKey(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> "stream-" + random.nextInt(6);
      case 1 -> "Type" + random.nextInt(7);
      case 2 -> "order-" + random.nextInt(40);
      case 3 -> "course:c" + random.nextInt(4);
      case 4 -> "student:s" + random.nextInt(9);
      default -> "zz-" + random.nextInt(9);
    };
  }

  @Nested
  class No_false_negatives {
    @Test
    void a_segment_holding_a_match_of_a_selector_may_match_it_also_after_a_round_trip() {
      var events = IndexSegmentTest.events(600, 11);
      var random = new Random(12);
      int excluded = 0;
      for (var segment : segments(events, 20)) {
        var summary = SegmentSummary.decode(SegmentSummary.of(segment).encode());
        var range = events.subList((int) segment.firstRevision() - 1, (int) segment.lastRevision());
        for (int i = 0; i < 200; i++) {
          var selector = randomSelector(random, 0);
          boolean holds = range.stream().anyMatch(e -> selector.matches(e.event()));
          if (holds) {
            assertThat(summary.mayMatch(selector)).as("%s in %s", selector, segment).isTrue();
          } else if (!summary.mayMatch(selector)) {
            excluded++;
          }
        }
      }
      assertThat(excluded).as("selectors a summary excluded").isPositive();
    }

    @Test
    void long_keys_sharing_their_first_64_characters_still_match_their_prefixes() {
      String stem = "x".repeat(70);
      var events = new ArrayList<StoredEvent>();
      String[] subjects = {stem + "b", stem + "m", "a" + stem, stem + "\uD83D\uDE00z"};
      for (int r = 1; r <= subjects.length; r++) {
        events.add(
            new StoredEvent(
                r,
                T0,
                Event.builder()
                    .id("e" + r)
                    .source("s")
                    .type("T")
                    .subject(subjects[r - 1])
                    .build()));
      }
      var segment = segments(events, subjects.length).get(0);
      var summary = SegmentSummary.decode(SegmentSummary.of(segment).encode());
      for (String s : subjects) {
        for (int len = 0; len <= s.length(); len++) {
          var prefix = new EventSelector.StartsWith(Attribute.SUBJECT, s.substring(0, len));
          assertThat(summary.mayMatch(prefix)).as(prefix.toString()).isTrue();
        }
        assertThat(summary.mayMatch(new EventSelector.Equals(Attribute.SUBJECT, s))).isTrue();
      }
      assertThat(summary.mayMatch(new EventSelector.StartsWith(Attribute.SUBJECT, "y"))).isFalse();
      assertThat(summary.mayMatch(new EventSelector.StartsWith(Attribute.SUBJECT, "0"))).isFalse();
      assertThat(summary.mayMatch(new EventSelector.Equals(Attribute.SUBJECT, null))).isFalse();
      assertThat(summary.mayMatch(new EventSelector.StartsWith(Attribute.TAG, ""))).isFalse();
    }

    @Test
    void a_segment_holding_an_event_id_may_hold_its_hash_and_knows_its_times() {
      var events = IndexSegmentTest.events(400, 31);
      int absent = 0;
      for (var segment : segments(events, 100)) {
        var summary = SegmentSummary.decode(SegmentSummary.of(segment).encode());
        var range = events.subList((int) segment.firstRevision() - 1, (int) segment.lastRevision());
        for (var e : range) {
          assertThat(summary.mayHoldId(DatabaseIndex.idHash(e.event().source(), e.event().id())))
              .isTrue();
          long effective = DatabaseIndex.nanos(e.effectiveTime());
          assertThat(effective).isBetween(summary.minEffectiveNanos(), summary.maxEffectiveNanos());
        }
        assertThat(summary.firstRecordedNanos())
            .isEqualTo(DatabaseIndex.nanos(range.get(0).recordedTime()));
        assertThat(summary.lastRecordedNanos())
            .isEqualTo(DatabaseIndex.nanos(range.get(range.size() - 1).recordedTime()));
        for (int i = 0; i < 1_000; i++) {
          if (!summary.mayHoldId(DatabaseIndex.idHash("elsewhere", "x" + i))) {
            absent++;
          }
        }
      }
      assertThat(absent).as("ids of no segment that a summary excluded").isGreaterThan(3_900);
    }

    @Test
    void a_filter_beyond_its_bit_limit_holds_every_key() {
      var keys = new ArrayList<String>();
      for (int i = 0; i < KeyBloomFilter.MAX_BITS / KeyBloomFilter.BITS_PER_KEY * 3; i++) {
        keys.add("subject-" + i);
      }
      var filter = KeyBloomFilter.of(keys);
      assertThat(filter.wordCount()).isEqualTo(KeyBloomFilter.MAX_BITS / 64);
      assertThat(keys).allSatisfy(k -> assertThat(filter.mightContain(k)).isTrue());
    }
  }

  @Test
  void a_segment_on_its_own_answers_a_selector_like_its_events() {
    var events = IndexSegmentTest.events(300, 41);
    var random = new Random(42);
    for (var segment : segments(events, 50)) {
      var decoded = IndexSegment.decode(segment.encode());
      var range = events.subList((int) segment.firstRevision() - 1, (int) segment.lastRevision());
      for (int i = 0; i < 300; i++) {
        var selector = i == 0 ? EventSelector.any() : randomSelector(random, 0);
        long[] expected =
            range.stream()
                .filter(e -> selector.matches(e.event()))
                .mapToLong(StoredEvent::revision)
                .toArray();
        assertThat(java.util.Arrays.stream(decoded.matching(selector)).asLongStream().toArray())
            .as(selector.toString())
            .containsExactly(expected);
      }
    }
  }

  @Test
  void a_filter_of_ten_bits_per_key_has_about_one_percent_false_positives() {
    var keys = new ArrayList<String>();
    for (int i = 0; i < 10_000; i++) {
      keys.add("order-" + i);
    }
    var filter = KeyBloomFilter.of(keys);
    int positives = 0;
    for (int i = 0; i < 100_000; i++) {
      if (filter.mightContain("customer-" + i)) {
        positives++;
      }
    }
    // 10 bits and 7 probes per key: 0.82 % in theory; deterministic for these keys
    assertThat(positives).isBetween(1, 2_000);
    assertThat(keys).allSatisfy(k -> assertThat(filter.mightContain(k)).isTrue());
  }

  @Nested
  class Encoding {
    @Test
    void is_deterministic_and_independent_of_key_order() {
      var events = IndexSegmentTest.events(300, 21);
      var a = segments(events, 100);
      var b = segments(events, 100);
      for (int i = 0; i < a.size(); i++) {
        byte[] bytes = SegmentSummary.of(a.get(i)).encode();
        assertThat(SegmentSummary.of(b.get(i)).encode()).isEqualTo(bytes);
        assertThat(SegmentSummary.decode(bytes).encode()).isEqualTo(bytes);
        assertThat(SegmentSummary.of(IndexSegment.decode(a.get(i).encode())).encode())
            .isEqualTo(bytes);
      }
      var keys = new ArrayList<String>();
      for (int i = 0; i < 500; i++) {
        keys.add("k" + i);
      }
      var forward = KeyBloomFilter.of(keys);
      Collections.shuffle(keys, new Random(3));
      assertThat(KeyBloomFilter.of(keys)).isEqualTo(forward);
    }

    @Test
    void the_largest_summary_fits_the_stores_limit() {
      String wide = "\uD83D\uDE00".repeat(40); // 4 UTF-8 bytes per 2 characters
      var events = new ArrayList<StoredEvent>();
      int n = KeyBloomFilter.MAX_BITS / KeyBloomFilter.BITS_PER_KEY + 100;
      for (int r = 1; r <= n; r++) {
        events.add(
            new StoredEvent(
                r,
                T0,
                Event.builder()
                    .id("e" + r)
                    .source(wide + r)
                    .type(wide + r)
                    .subject(wide + r)
                    .tags(wide + r)
                    .build()));
      }
      var segment = segments(events, n).get(0);
      byte[] bytes = SegmentSummary.of(segment).encode();
      assertThat(bytes.length)
          .isGreaterThan(5 * KeyBloomFilter.MAX_BITS / 8)
          .isLessThanOrEqualTo(io.evidentsource.core.port.IndexSegmentStore.MAX_SUMMARY_BYTES);
    }

    @Test
    void keeps_the_range_and_key_counts() {
      var segment = segments(IndexSegmentTest.events(200, 5), 100).get(1);
      var summary = SegmentSummary.decode(SegmentSummary.of(segment).encode());
      assertThat(summary.firstRevision()).isEqualTo(101);
      assertThat(summary.lastRevision()).isEqualTo(200);
      for (Attribute a : Attribute.values()) {
        assertThat(summary.keyCount(a)).isEqualTo(segment.keys(a).size());
      }
    }

    @Test
    void refuses_a_flipped_byte_anywhere_and_truncation() {
      byte[] bytes =
          SegmentSummary.of(segments(IndexSegmentTest.events(50, 6), 50).get(0)).encode();
      for (int i = 0; i < bytes.length; i++) {
        byte[] damaged = bytes.clone();
        damaged[i] ^= 0x10;
        assertThatThrownBy(() -> SegmentSummary.decode(damaged))
            .isInstanceOf(IndexSegment.CorruptSegmentException.class);
      }
      for (int n : new int[] {0, 10, bytes.length - 1}) {
        byte[] cut = java.util.Arrays.copyOf(bytes, n);
        assertThatThrownBy(() -> SegmentSummary.decode(cut))
            .isInstanceOf(IndexSegment.CorruptSegmentException.class);
      }
    }

    @Test
    void refuses_a_newer_format_version_as_newer() {
      byte[] bytes =
          SegmentSummary.of(segments(IndexSegmentTest.events(50, 7), 50).get(0)).encode();
      bytes[4] = (byte) (SegmentSummary.FORMAT_VERSION + 1);
      var crc = new CRC32();
      crc.update(bytes, 0, bytes.length - 4);
      ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
      assertThatThrownBy(() -> SegmentSummary.decode(bytes))
          .isInstanceOfSatisfying(
              IndexSegment.CorruptSegmentException.class, e -> assertThat(e.newerFormat()).isTrue())
          .hasMessageContaining("version 2");
    }
  }
}
