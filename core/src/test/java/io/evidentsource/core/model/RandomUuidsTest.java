package io.evidentsource.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RandomUuidsTest {
  @Test
  void ids_are_version_4_with_the_ietf_variant() {
    for (int i = 0; i < 1_000; i++) {
      UUID id = RandomUuids.next();
      assertThat(id.version()).isEqualTo(4);
      assertThat(id.variant()).isEqualTo(2);
    }
  }

  @Test
  void threads_draw_distinct_ids() throws Exception {
    Set<UUID> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> draws = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        draws.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 10_000; i++) {
                    seen.add(RandomUuids.next());
                  }
                }));
      }
      for (Future<?> draw : draws) {
        draw.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(seen).hasSize(80_000);
  }
}
