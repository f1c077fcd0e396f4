package io.evidentsource.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One watcher per database: waiting readers share its reads of the catalog and wake when the head
 * moves, the database goes or is replaced, or a read fails. The catalog is a stub whose head the
 * test sets and whose reads it counts.
 */
@Timeout(60)
class SharedPollingNotificationsTest {
  private static final DatabaseName DB = DatabaseName.of("watched");
  private static final Duration LONG = Duration.ofSeconds(30);

  private final AtomicReference<Object> catalog = new AtomicReference<>(info(1, 5));
  private final AtomicLong reads = new AtomicLong();
  private final SharedPollingNotifications notifications =
      new SharedPollingNotifications(storage(), Duration.ofMillis(10));
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void close() {
    notifications.close();
    threads.shutdownNow();
  }

  private static DatabaseInfo info(long generation, long revision) {
    return new DatabaseInfo(DB, generation, Instant.EPOCH, revision, Instant.EPOCH);
  }

  /** A catalog answering {@code findDatabase} with the current value: info, empty or a failure. */
  private StorageAdapter storage() {
    return (StorageAdapter)
        Proxy.newProxyInstance(
            StorageAdapter.class.getClassLoader(),
            new Class<?>[] {StorageAdapter.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("findDatabase")) {
                throw new UnsupportedOperationException(method.getName());
              }
              reads.incrementAndGet();
              Object now = catalog.get();
              if (now instanceof RuntimeException e) {
                throw e;
              }
              return Optional.ofNullable((DatabaseInfo) now);
            });
  }

  private List<Future<Boolean>> waiters(int n, long revision) {
    var out = new ArrayList<Future<Boolean>>();
    for (int i = 0; i < n; i++) {
      out.add(threads.submit(() -> notifications.awaitBeyond(DB, revision, LONG)));
    }
    return out;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    while (!condition.getAsBoolean()) {
      Thread.sleep(5);
    }
  }

  @Test
  void waiting_readers_share_one_read_per_round_and_all_wake_when_the_head_moves()
      throws Exception {
    var waiting = waiters(50, 5);
    await(() -> notifications.rounds() >= 3);
    long readsBefore = reads.get();
    long roundsBefore = notifications.rounds();
    await(() -> notifications.rounds() >= roundsBefore + 20);
    long readsMeanwhile = reads.get() - readsBefore;
    long roundsMeanwhile = notifications.rounds() - roundsBefore;
    assertThat(readsMeanwhile).isBetween(roundsMeanwhile - 1, roundsMeanwhile + 1);
    assertThat(waiting).noneMatch(Future::isDone);

    catalog.set(info(1, 6));

    for (var w : waiting) {
      assertThat(w.get()).isTrue();
    }
    assertThat(notifications.knownHead(DB)).contains(info(1, 6));
  }

  @Test
  void a_reader_behind_the_head_it_knows_returns_at_once_and_one_at_it_times_out()
      throws Exception {
    assertThat(waiters(1, 5).get(0).isDone()).isFalse(); // keeps the watcher reading
    await(() -> notifications.knownHead(DB).isPresent());
    assertThat(notifications.awaitBeyond(DB, 4, LONG)).isTrue();
    assertThat(notifications.awaitBeyond(DB, 5, Duration.ofMillis(50))).isFalse();
  }

  @Test
  void waiting_readers_wake_when_the_database_is_deleted() throws Exception {
    var waiting = waiters(3, 5);
    await(() -> notifications.knownHead(DB).isPresent());
    catalog.set(null);
    for (var w : waiting) {
      assertThat(w.get()).isTrue();
    }
    assertThat(notifications.knownHead(DB)).isEmpty();
  }

  @Test
  void waiting_readers_wake_when_a_new_generation_replaces_the_database_below_their_revision()
      throws Exception {
    var waiting = waiters(3, 5);
    await(() -> notifications.knownHead(DB).isPresent());
    catalog.set(info(2, 1));
    for (var w : waiting) {
      assertThat(w.get()).isTrue();
    }
  }

  @Test
  void a_failed_read_is_thrown_to_the_readers_waiting_then() throws Exception {
    var waiting = waiters(2, 5);
    await(() -> notifications.knownHead(DB).isPresent());
    catalog.set(new IllegalStateException("catalog unreachable"));
    for (var w : waiting) {
      assertThatThrownBy(w::get).hasRootCauseMessage("catalog unreachable");
    }
    catalog.set(info(1, 7));
    assertThat(notifications.awaitBeyond(DB, 6, LONG)).isTrue();
  }
}
