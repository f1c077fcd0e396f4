package io.evidentsource.core.port;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Change notifications for a storage that cannot push them (the DynamoDB profiles): one watcher per
 * database per process. A single thread reads the catalog entry of each database that has waiting
 * readers once per interval and wakes all of them when it moved, so the storage reads do not grow
 * with the number of live tails: any number of idle tails on one database cost one catalog read per
 * interval (docs/dynamodb.md#live-tails). Readers learn the head that woke them from {@link
 * #knownHead} without reading the catalog themselves.
 *
 * <p>A database nobody waits on is not read; its watcher is dropped after {@code 10 × interval}
 * without readers. A read that fails wakes the database's waiting readers with the failure (as if
 * each had read it), and the next round reads again.
 *
 * <p>The thread starts with the first wait and stops at {@link #close()}.
 */
public final class SharedPollingNotifications implements ChangeNotifications, AutoCloseable {
  private static final int IDLE_ROUNDS = 10;

  private final StorageAdapter storage;
  private final long intervalNanos;
  private final Map<DatabaseName, Watch> watches = new ConcurrentHashMap<>();
  private final ReentrantLock roundLock = new ReentrantLock();
  private final Condition newWatch = roundLock.newCondition();
  private final AtomicLong rounds = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private boolean started;
  private volatile boolean closed;
  private @Nullable Thread watcher;

  /** What one database's watcher last read, and who waits on it. */
  private static final class Watch {
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();

    /** Changed only inside {@code watches.compute} for this key, so it and the removal agree. */
    final AtomicInteger waiters = new AtomicInteger();

    volatile long idleSince;

    /** When a caller last looked without waiting ({@link #polled}), or 0. */
    volatile long polledAt;

    /** The failures a look without waiting has reported. */
    long polledFailures;

    /** The last head read, null before the first read or when the database is gone. */
    @Nullable DatabaseInfo head;

    /** Whether a read has answered at all. */
    boolean read;

    /** Counts the reads that found the database gone or of another generation. */
    long replaced;

    /** Counts failed reads; the last failure. */
    long failures;

    @Nullable RuntimeException failure;
  }

  /**
   * @param storage the catalog read
   * @param interval the pause between two rounds of reads, positive
   */
  public SharedPollingNotifications(StorageAdapter storage, Duration interval) {
    this.storage = Objects.requireNonNull(storage, "storage");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, was " + interval);
    }
    this.intervalNanos = interval.toNanos();
  }

  /**
   * Waits until the head of {@code database} is beyond {@code revision} as the watcher last read
   * it, the database is gone or was replaced by a new generation, or {@code timeout} passes.
   *
   * @throws RuntimeException the failure of a catalog read that happened while waiting
   */
  @Override
  public boolean awaitBeyond(DatabaseName database, long revision, Duration timeout)
      throws InterruptedException {
    if (timeout.isNegative() || timeout.isZero()) {
      return polled(database, revision);
    }
    Watch w = register(database);
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      w.lock.lock();
      try {
        DatabaseInfo entered = w.head;
        long replaced = w.replaced;
        long failures = w.failures;
        while (true) {
          if (w.failures != failures) {
            RuntimeException failure = w.failure;
            if (failure != null) {
              throw failure;
            }
          }
          DatabaseInfo head = w.head;
          if (w.replaced != replaced
              || (w.read && head == null)
              || (head != null && head.revision() > revision)
              || (head != null && entered != null && head.generation() != entered.generation())) {
            return true;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          w.changed.awaitNanos(left);
        }
      } finally {
        w.lock.unlock();
      }
    } finally {
      unregister(database);
    }
  }

  /**
   * The head of {@code database} the watcher read last, without reading the catalog; empty when it
   * has not read it yet or found it gone.
   */
  @Override
  public Optional<DatabaseInfo> knownHead(DatabaseName database) {
    Watch w = watches.get(database);
    if (w == null) {
      return Optional.empty();
    }
    w.lock.lock();
    try {
      return Optional.ofNullable(w.head);
    } finally {
      w.lock.unlock();
    }
  }

  /** The pause between two rounds of reads: how often a caller without a thread should look. */
  @Override
  public Duration pollInterval() {
    return Duration.ofNanos(intervalNanos);
  }

  /** Rounds of reads so far (one round reads each database that has waiting readers once). */
  public long rounds() {
    return rounds.get();
  }

  /** Catalog reads so far. */
  public long reads() {
    return reads.get();
  }

  /**
   * A look without waiting, as a caller that follows many readers without a thread makes every
   * interval (the subscription engine): it keeps the database watched for {@value #IDLE_ROUNDS}
   * rounds and answers from the watcher's last read, so such looks add no catalog reads; only the
   * first look at a database reads it.
   */
  private boolean polled(DatabaseName database, long revision) {
    Watch w = watch(database, v -> v.polledAt = System.nanoTime());
    w.lock.lock();
    try {
      if (w.read) {
        if (w.failure != null && w.failures != w.polledFailures) {
          w.polledFailures = w.failures;
          throw w.failure;
        }
        DatabaseInfo head = w.head;
        return head == null || head.revision() > revision;
      }
    } finally {
      w.lock.unlock();
    }
    reads.incrementAndGet();
    var info = storage.findDatabase(database);
    return info.isEmpty() || info.get().revision() > revision;
  }

  private Watch register(DatabaseName database) {
    return watch(database, v -> v.waiters.incrementAndGet());
  }

  /**
   * The database's watch, created if it has none (then the watcher is started or woken), after
   * {@code touch} ran on it inside the map's atomic update.
   */
  private Watch watch(DatabaseName database, Consumer<Watch> touch) {
    boolean[] created = {false};
    Watch w =
        watches.compute(
            database,
            (k, existing) -> {
              Watch v = existing;
              if (v == null) {
                v = new Watch();
                created[0] = true;
              }
              touch.accept(v);
              return v;
            });
    if (created[0]) {
      startOrWake();
    }
    return w;
  }

  private void unregister(DatabaseName database) {
    watches.computeIfPresent(
        database,
        (k, v) -> {
          if (v.waiters.decrementAndGet() == 0) {
            v.idleSince = System.nanoTime();
          }
          return v;
        });
  }

  /** Starts the watcher thread on the first wait; wakes it for a new database's first read. */
  private void startOrWake() {
    roundLock.lock();
    try {
      if (closed) {
        return;
      }
      if (!started) {
        started = true;
        var t = new Thread(this::watch, "evidentsource-head-watcher");
        t.setDaemon(true);
        watcher = t;
        t.start();
      }
      newWatch.signalAll();
    } finally {
      roundLock.unlock();
    }
  }

  private void watch() {
    while (!closed) {
      long start = System.nanoTime();
      for (var entry : watches.entrySet()) {
        Watch w = entry.getValue();
        boolean polledLately = w.polledAt != 0 && start - w.polledAt <= IDLE_ROUNDS * intervalNanos;
        if (w.waiters.get() == 0 && !polledLately) {
          if (start - Math.max(w.idleSince, w.polledAt) > IDLE_ROUNDS * intervalNanos) {
            watches.computeIfPresent(
                entry.getKey(),
                (k, v) ->
                    v == w
                            && v.waiters.get() == 0
                            && System.nanoTime() - v.polledAt > IDLE_ROUNDS * intervalNanos
                        ? null
                        : v);
          }
          continue;
        }
        read(entry.getKey(), w);
      }
      rounds.incrementAndGet();
      roundLock.lock();
      try {
        long left = intervalNanos - (System.nanoTime() - start);
        while (left > 0 && !closed) {
          left = newWatch.awaitNanos(left);
          if (hasUnreadWatch()) {
            break;
          }
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        roundLock.unlock();
      }
    }
  }

  private boolean hasUnreadWatch() {
    for (Watch w : watches.values()) {
      if ((w.waiters.get() > 0 || w.polledAt != 0) && !isRead(w)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isRead(Watch w) {
    w.lock.lock();
    try {
      return w.read;
    } finally {
      w.lock.unlock();
    }
  }

  private void read(DatabaseName database, Watch w) {
    Optional<DatabaseInfo> info;
    try {
      reads.incrementAndGet();
      info = storage.findDatabase(database);
    } catch (RuntimeException e) {
      w.lock.lock();
      try {
        w.failures++;
        w.failure = e;
        w.changed.signalAll();
      } finally {
        w.lock.unlock();
      }
      return;
    }
    w.lock.lock();
    try {
      DatabaseInfo before = w.head;
      DatabaseInfo after = info.orElse(null);
      w.head = after;
      w.read = true;
      if (before != null && (after == null || after.generation() != before.generation())) {
        w.replaced++;
      }
      if (!Objects.equals(before, after)) {
        w.changed.signalAll();
      }
    } finally {
      w.lock.unlock();
    }
  }

  /** Stops the watcher thread; waiting readers time out as usual. */
  @Override
  public void close() {
    Thread t;
    roundLock.lock();
    try {
      closed = true;
      newWatch.signalAll();
      t = watcher;
    } finally {
      roundLock.unlock();
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
