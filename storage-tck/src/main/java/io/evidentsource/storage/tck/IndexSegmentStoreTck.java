package io.evidentsource.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.IndexSegmentStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of an {@link IndexSegmentStore} (ADR 0011): a segment is written once, whole, and
 * read back byte for byte; a second write of its key leaves the first in place; a replacement (of a
 * segment that did not decode) takes the place of the stored one, whole; keys of other databases,
 * generations or ranges are independent. A segment's summary is stored with it, atomically, and
 * read back with every other summary of its database generation.
 */
public abstract class IndexSegmentStoreTck {

  /** The store under test; may be shared by the tests of one class (keys are fresh per test). */
  protected abstract IndexSegmentStore store();

  /** A fresh database name, so tests sharing a store never meet. */
  protected static DatabaseName freshDatabase() {
    return new DatabaseName("seg-" + UUID.randomUUID().toString().substring(0, 8));
  }

  protected static byte[] bytes(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void a_key_never_written_is_absent() {
    assertThat(store().get(new IndexSegmentStore.Key(freshDatabase(), 1, 1))).isEmpty();
  }

  @Test
  void reads_back_what_it_stored() {
    var key = new IndexSegmentStore.Key(freshDatabase(), 1, 10_001);
    byte[] segment = bytes(1_000, 1);
    assertThat(store().putIfAbsent(key, segment)).isTrue();
    assertThat(store().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(segment));
  }

  @Test
  void a_second_write_of_a_key_keeps_the_first_segment() {
    var key = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
    byte[] first = bytes(500, 2);
    assertThat(store().putIfAbsent(key, first)).isTrue();
    assertThat(store().putIfAbsent(key, bytes(700, 3))).isFalse();
    assertThat(store().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(first));
  }

  @Test
  void a_segment_larger_than_one_item_reads_back_whole() {
    var key = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
    byte[] segment = bytes(Math.min(store().maxSegmentBytes(), 1_200_000), 4);
    assertThat(store().putIfAbsent(key, segment)).isTrue();
    assertThat(store().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(segment));
  }

  @Test
  void replace_puts_a_segment_in_place_of_a_larger_or_smaller_one_or_of_none() {
    var key = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
    byte[] large = bytes(Math.min(store().maxSegmentBytes(), 1_200_000), 7);
    assertThat(store().putIfAbsent(key, large)).isTrue();
    byte[] small = bytes(300, 8);
    store().replace(key, small);
    assertThat(store().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(small));
    store().replace(key, large);
    assertThat(store().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(large));
    store().replace(key, large); // again: idempotent
    assertThat(store().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(large));
    var absent = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
    store().replace(absent, small);
    assertThat(store().get(absent)).hasValueSatisfying(b -> assertThat(b).isEqualTo(small));
    assertThat(store().putIfAbsent(absent, large)).isFalse();
  }

  @Test
  void refuses_a_segment_above_its_limit_naming_the_limit() {
    var key = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
    int max = store().maxSegmentBytes();
    if (max > 64 << 20) {
      return; // a heap store's limit is the heap's; nothing to refuse at a testable size
    }
    assertThatThrownBy(() -> store().putIfAbsent(key, new byte[max + 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(max));
    assertThatThrownBy(() -> store().replace(key, new byte[max + 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(max));
    assertThat(store().get(key)).isEmpty();
  }

  @Test
  void keys_of_other_databases_generations_and_ranges_are_independent() {
    var db = freshDatabase();
    var key = new IndexSegmentStore.Key(db, 2, 1);
    store().putIfAbsent(key, bytes(100, 5));
    assertThat(store().get(new IndexSegmentStore.Key(db, 1, 1))).isEmpty();
    assertThat(store().get(new IndexSegmentStore.Key(db, 3, 1))).isEmpty();
    assertThat(store().get(new IndexSegmentStore.Key(db, 2, 2))).isEmpty();
    assertThat(store().get(new IndexSegmentStore.Key(freshDatabase(), 2, 1))).isEmpty();
    assertThat(store().putIfAbsent(new IndexSegmentStore.Key(db, 2, 1_001), bytes(100, 6)))
        .isTrue();
  }

  @Test
  void of_concurrent_sealers_of_one_key_one_wins_and_all_read_its_segment() throws Exception {
    var key = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
    int sealers = 6;
    var start = new CountDownLatch(1);
    var pool = Executors.newFixedThreadPool(sealers);
    try {
      var results = new ArrayList<Future<Boolean>>();
      for (int i = 0; i < sealers; i++) {
        byte[] mine = bytes(400_000, 100 + i);
        byte[] summary = bytes(300, 100 + i);
        Callable<Boolean> seal =
            () -> {
              start.await();
              return store().putIfAbsent(key, mine, summary);
            };
        results.add(pool.submit(seal));
      }
      start.countDown();
      List<Boolean> won = new ArrayList<>();
      for (var f : results) {
        won.add(f.get());
      }
      assertThat(won).containsOnlyOnce(true);
      byte[] winner = bytes(400_000, 100 + won.indexOf(true));
      assertThat(store().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(winner));
      assertThat(store().summaries(key.database(), key.generation()).get(1L))
          .isEqualTo(bytes(300, 100 + won.indexOf(true)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Nested
  class Summaries {
    @Test
    void come_back_for_a_whole_generation_by_first_revision() {
      var db = freshDatabase();
      for (long first : new long[] {201, 1, 101}) {
        assertThat(
                store()
                    .putIfAbsent(
                        new IndexSegmentStore.Key(db, 3, first),
                        bytes(200, first),
                        bytes(50, -first)))
            .isTrue();
      }
      store().putIfAbsent(new IndexSegmentStore.Key(db, 3, 301), bytes(200, 301)); // none
      store().putIfAbsent(new IndexSegmentStore.Key(db, 4, 1), bytes(20, 9), bytes(10, 9));

      var summaries = store().summaries(db, 3);

      assertThat(summaries.keySet()).containsExactly(1L, 101L, 201L);
      summaries.forEach((first, summary) -> assertThat(summary).isEqualTo(bytes(50, -first)));
      assertThat(store().summaries(db, 2)).isEmpty();
      assertThat(store().summaries(freshDatabase(), 3)).isEmpty();
    }

    @Test
    void of_a_segment_sealed_already_stay_those_of_the_first_sealer() {
      var key = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
      assertThat(store().putIfAbsent(key, bytes(100, 1), bytes(40, 1))).isTrue();
      assertThat(store().putIfAbsent(key, bytes(100, 2), bytes(40, 2))).isFalse();
      assertThat(store().summaries(key.database(), 1).get(1L)).isEqualTo(bytes(40, 1));
    }

    @Test
    void are_replaced_with_their_segment_or_removed_by_a_replacement_without_one() {
      var key = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
      store().putIfAbsent(key, bytes(100, 1), bytes(40, 1));
      store().replace(key, bytes(100, 2), bytes(40, 2));
      assertThat(store().summaries(key.database(), 1).get(1L)).isEqualTo(bytes(40, 2));
      store().replace(key, bytes(100, 3));
      assertThat(store().summaries(key.database(), 1)).isEmpty();
      assertThat(store().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes(100, 3)));
    }

    @Test
    void above_the_limit_are_refused_naming_it_and_store_nothing() {
      var key = new IndexSegmentStore.Key(freshDatabase(), 1, 1);
      byte[] large = new byte[IndexSegmentStore.MAX_SUMMARY_BYTES + 1];
      assertThatThrownBy(() -> store().putIfAbsent(key, bytes(100, 1), large))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Integer.toString(IndexSegmentStore.MAX_SUMMARY_BYTES));
      assertThatThrownBy(() -> store().replace(key, bytes(100, 1), large))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Integer.toString(IndexSegmentStore.MAX_SUMMARY_BYTES));
      assertThat(store().get(key)).isEmpty();
      assertThat(store().summaries(key.database(), 1)).isEmpty();
    }

    @Test
    void of_the_largest_size_come_back_whole_beyond_one_page() {
      var db = freshDatabase();
      int count = 10; // 1.4 MB: more than one DynamoDB Query page
      for (int i = 0; i < count; i++) {
        store()
            .putIfAbsent(
                new IndexSegmentStore.Key(db, 1, 1 + 100L * i),
                bytes(100, i),
                bytes(IndexSegmentStore.MAX_SUMMARY_BYTES, i));
      }
      var summaries = store().summaries(db, 1);
      assertThat(summaries).hasSize(count);
      for (int i = 0; i < count; i++) {
        assertThat(summaries.get(1 + 100L * i))
            .isEqualTo(bytes(IndexSegmentStore.MAX_SUMMARY_BYTES, i));
      }
    }
  }
}
