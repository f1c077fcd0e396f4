package io.evidentsource.core.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FoldCacheTest {
  static final long OVERHEAD = FoldCache.ENTRY_OVERHEAD_BYTES;

  /** A cache of states whose weight is their UTF-8 length plus the overhead. */
  static FoldCache<String, byte[]> cache(long maxBytes, int maxEntries) {
    return new FoldCache<>(maxBytes, maxEntries, state -> state.length);
  }

  static byte[] state(int bytes) {
    return "x".repeat(bytes).getBytes(StandardCharsets.UTF_8);
  }

  @Nested
  class Bounded_by_bytes {
    @Test
    void counts_each_states_length_plus_the_entry_overhead() {
      var cache = cache(10_000, 100);
      cache.put("a", state(100));
      cache.put("b", state(50));
      assertThat(cache.bytes()).isEqualTo(150 + 2 * OVERHEAD);
      cache.put("a", state(10));
      assertThat(cache.bytes())
          .as("a replaced entry no longer counts")
          .isEqualTo(60 + 2 * OVERHEAD);
      assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void drops_the_least_recently_used_folds_until_the_budget_holds() {
      // room for exactly three entries of 100 state bytes
      var cache = cache(3 * (100 + OVERHEAD), 100);
      cache.put("a", state(100));
      cache.put("b", state(100));
      cache.put("c", state(100));
      assertThat(cache.get("a")).as("a read makes 'a' the most recently used").isNotNull();
      cache.put("d", state(100));
      assertThat(cache.contains("b")).as("'b' was the least recently used").isFalse();
      assertThat(cache.contains("a")).isTrue();
      assertThat(cache.contains("c")).isTrue();
      assertThat(cache.contains("d")).isTrue();

      cache.put("big", state(2 * 100 + (int) OVERHEAD));
      assertThat(cache.contains("c")).as("evicted first (least recently used)").isFalse();
      assertThat(cache.contains("a")).as("evicted second").isFalse();
      assertThat(cache.contains("d")).isTrue();
      assertThat(cache.contains("big")).isTrue();
      assertThat(cache.bytes()).isLessThanOrEqualTo(3 * (100 + OVERHEAD));
      assertThat(cache.bytes()).isEqualTo(100 + OVERHEAD + 2 * 100 + 2 * OVERHEAD);
    }

    @Test
    void a_state_heavier_than_the_whole_budget_is_not_cached_and_nothing_else_is_dropped() {
      var cache = cache(1_000, 100);
      cache.put("small", state(10));
      assertThat(cache.put("huge", state(1_000))).isFalse();
      assertThat(cache.contains("huge")).isFalse();
      assertThat(cache.contains("small")).isTrue();
      assertThat(cache.bytes()).isEqualTo(10 + OVERHEAD);
    }

    @Test
    void a_key_whose_state_outgrows_the_budget_loses_its_older_entry() {
      var cache = cache(1_000, 100);
      cache.put("view", state(10));
      assertThat(cache.put("view", state(1_000 - (int) OVERHEAD + 1))).isFalse();
      assertThat(cache.contains("view")).isFalse();
      assertThat(cache.bytes()).isZero();
    }

    @Test
    void a_state_that_fills_the_budget_exactly_is_cached_alone() {
      var cache = cache(1_000, 100);
      cache.put("a", state(1));
      assertThat(cache.put("full", state(1_000 - (int) OVERHEAD))).isTrue();
      assertThat(cache.contains("a")).isFalse();
      assertThat(cache.bytes()).isEqualTo(1_000);
    }
  }

  @Nested
  class Bounded_by_entries {
    @Test
    void the_entry_bound_still_applies_in_lru_order() {
      var cache = cache(1_000_000, 2);
      cache.put("a", state(1));
      cache.put("b", state(1));
      cache.get("a");
      cache.put("c", state(1));
      assertThat(cache.contains("b")).isFalse();
      assertThat(cache.size()).isEqualTo(2);
      assertThat(cache.bytes()).isEqualTo(2 * (1 + OVERHEAD));
    }

    @Test
    void zero_in_either_bound_caches_nothing() {
      assertThat(cache(0, 10).put("a", state(0))).isFalse();
      assertThat(cache(1_000, 0).put("a", state(0))).isFalse();
    }

    @Test
    void negative_bounds_are_refused_naming_them() {
      assertThatThrownBy(() -> cache(-1, 1)).hasMessageContaining("maxBytes");
      assertThatThrownBy(() -> cache(1, -1)).hasMessageContaining("maxEntries");
    }
  }
}
