package io.evidentsource.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.IndexSegmentStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The segment cache keeps within its bound by dropping the least recently used unheld segments. */
class SegmentCacheTest {
  private static final DatabaseName DB = new DatabaseName("cache");

  private final List<IndexSegment> sealed =
      IndexSegmentTest.fromLog(IndexSegmentTest.events(500, 21), 100).drainCompletedSegments();
  private final Map<Long, byte[]> stored = new HashMap<>();
  private final List<Long> loads = new ArrayList<>();
  private final List<SegmentRef> refs = new ArrayList<>();

  SegmentCacheTest() {
    for (var s : sealed) {
      stored.put(s.firstRevision(), s.encode());
      refs.add(
          new SegmentRef(
              new IndexSegmentStore.Key(DB, 1, s.firstRevision()), SegmentSummary.of(s), null));
    }
  }

  private SegmentCache cache(long bound, long resident) {
    return new SegmentCache(
        ref -> {
          loads.add(ref.first());
          return IndexSegment.decode(stored.get(ref.first()));
        },
        bound,
        () -> resident);
  }

  private long largest() {
    return sealed.stream().mapToLong(IndexSegment::estimatedBytes).max().orElseThrow();
  }

  @Test
  void drops_the_least_recently_used_segment_beyond_the_bound() {
    var cache = cache(2 * largest() + largest() / 2, 0);
    for (int i = 0; i < 3; i++) {
      cache.release(cache.acquire(refs.get(i)));
    }
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.bytes()).isLessThanOrEqualTo(2 * largest() + largest() / 2);

    cache.release(cache.acquire(refs.get(2))); // kept: used last
    cache.release(cache.acquire(refs.get(0))); // dropped first: read again

    assertThat(loads).containsExactly(1L, 101L, 201L, 1L);
  }

  @Test
  void never_drops_a_segment_a_walk_holds() {
    var cache = cache(1, 0);
    var held = new ArrayList<SegmentCache.Lease>();
    for (int i = 0; i < 3; i++) {
      held.add(cache.acquire(refs.get(i)));
    }
    assertThat(cache.size()).as("all held: over the bound").isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(held.get(i).segment.firstRevision()).isEqualTo(refs.get(i).first());
    }

    held.forEach(cache::release);

    assertThat(cache.size()).isZero();
    assertThat(cache.bytes()).isZero();
  }

  @Test
  void counts_the_heap_held_outside_it_against_the_bound() {
    long bound = 3 * largest();
    var cache = cache(bound, bound - sealed.get(0).estimatedBytes() + 1);
    cache.release(cache.acquire(refs.get(0)));
    assertThat(cache.size()).as("room for less than one segment").isZero();
  }

  @Test
  void forgets_the_segments_of_a_deleted_database() {
    var cache = cache(Long.MAX_VALUE, 0);
    var held = cache.acquire(refs.get(0));
    cache.release(cache.acquire(refs.get(1)));
    cache.forget(DB);
    assertThat(cache.size()).as("the held one stays until released").isEqualTo(1);
    cache.release(held);
  }

  @Test
  void serves_a_resident_segment_without_loading_it() {
    var cache = cache(1, 0);
    var ref = new SegmentRef(refs.get(0).key, refs.get(0).summary, sealed.get(0));
    var lease = cache.acquire(ref);
    cache.release(lease);
    assertThat(lease.segment).isSameAs(sealed.get(0));
    assertThat(loads).isEmpty();
  }
}
