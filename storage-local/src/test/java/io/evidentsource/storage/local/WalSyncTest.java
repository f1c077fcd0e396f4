package io.evidentsource.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The group commit of pipelined appends: one sync serves every write ticketed before it. */
class WalSyncTest {

  @Test
  void one_sync_serves_every_write_ticketed_before_it_started() {
    var syncs = new AtomicInteger();
    var wal = new WalSync(syncs::incrementAndGet);
    long a = wal.ticket();
    long b = wal.ticket();
    long c = wal.ticket();

    wal.await(b);
    wal.await(a);
    wal.await(c);

    assertThat(syncs).hasValue(1);
    assertThat(wal.synced()).isEqualTo(c);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void a_write_ticketed_during_a_sync_waits_for_the_next_sync() throws Exception {
    var inSync = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var syncs = new AtomicInteger();
    var wal =
        new WalSync(
            () -> {
              if (syncs.incrementAndGet() == 1) {
                inSync.countDown();
                await(release);
              }
            });
    long first = wal.ticket();
    var leader = new Thread(() -> wal.await(first));
    leader.start();
    assertThat(inSync.await(10, TimeUnit.SECONDS)).isTrue();
    long second = wal.ticket(); // written while the first sync is in flight: not covered by it
    var follower = new Thread(() -> wal.await(second));
    follower.start();
    release.countDown();
    leader.join();
    follower.join();

    assertThat(syncs).hasValue(2);
    assertThat(wal.synced()).isEqualTo(second);
  }

  @Test
  void a_failed_sync_fails_its_waiters_and_every_later_write() {
    var failure =
        new EvidentSourceException(ErrorCode.INTERNAL, "local storage failed to sync: I/O error");
    var wal =
        new WalSync(
            () -> {
              throw failure;
            });
    long ticket = wal.ticket();

    assertThatThrownBy(() -> wal.await(ticket)).isSameAs(failure);
    assertThatThrownBy(wal::checkHealthy).isSameAs(failure);
    long later = wal.ticket();
    assertThatThrownBy(() -> wal.await(later)).isSameAs(failure);
    assertThat(wal.synced()).isZero();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
