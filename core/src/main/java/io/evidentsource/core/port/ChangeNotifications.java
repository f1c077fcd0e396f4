package io.evidentsource.core.port;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Tells waiting readers that a database has moved past a revision (ADR 0004, "change
 * notification"). Live subscriptions block on it instead of polling storage. An adapter that can
 * signal on commit implements it; {@link SharedPollingNotifications} serves the others with one
 * catalog read per database and interval, however many readers wait.
 */
public interface ChangeNotifications {

  /**
   * Waits until the head of {@code database} is beyond {@code revision}, the database no longer
   * exists, or {@code timeout} passes, whichever is first.
   *
   * @param database the database watched
   * @param revision the head the caller has already seen
   * @param timeout the longest wait; zero returns at once
   * @return true when the head moved beyond {@code revision} or the database is gone (the caller
   *     reads the catalog to tell which), false on timeout
   * @throws InterruptedException when the waiting thread is interrupted (subscription closed)
   */
  boolean awaitBeyond(DatabaseName database, long revision, Duration timeout)
      throws InterruptedException;

  /**
   * Calls {@code listener} with a database's name after each commit to it and after its deletion,
   * without a thread waiting: the way live tails follow many databases at the cost of none. Only
   * storages that learn of commits as they happen ({@link StorageCapabilities.Notifications#PUSH})
   * support it; the listener runs on the committing thread and must return at once.
   *
   * @return a handle that stops the calls, or null when this source cannot push (the caller then
   *     asks {@link #awaitBeyond} with a zero timeout every {@link #pollInterval()})
   */
  default @Nullable AutoCloseable listen(Consumer<DatabaseName> listener) {
    return null;
  }

  /**
   * How often a caller without {@link #listen} should look for moved databases: the polling
   * interval of {@link #polling}, else 100 ms.
   */
  default Duration pollInterval() {
    return Duration.ofMillis(100);
  }

  /**
   * The newest head of {@code database} these notifications read from the catalog themselves,
   * without reading it again; empty when they do not read the catalog (they are pushed on commit)
   * or have not read this database. It is a head the storage reported, so every revision up to it
   * is committed: a reader woken by {@link #awaitBeyond} may read up to it instead of asking the
   * catalog once more.
   */
  default Optional<DatabaseInfo> knownHead(DatabaseName database) {
    return Optional.empty();
  }

  /**
   * Notifications by reading the catalog every {@code interval}, once per waiting reader: correct
   * for any adapter, with up to one interval of extra latency, but each waiting reader reads on its
   * own; {@link SharedPollingNotifications} reads once per database for all of them.
   */
  static ChangeNotifications polling(StorageAdapter storage, Duration interval) {
    long intervalNanos = Math.max(1, interval.toNanos());
    return new ChangeNotifications() {
      @Override
      public boolean awaitBeyond(DatabaseName database, long revision, Duration timeout)
          throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
          var info = storage.findDatabase(database);
          if (info.isEmpty() || info.get().revision() > revision) {
            return true;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          java.util.concurrent.TimeUnit.NANOSECONDS.sleep(Math.min(left, intervalNanos));
        }
      }

      @Override
      public Duration pollInterval() {
        return interval;
      }
    };
  }
}
