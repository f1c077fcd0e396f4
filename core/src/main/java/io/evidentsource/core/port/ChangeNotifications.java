package io.evidentsource.core.port;

import io.evidentsource.core.model.DatabaseName;
import java.time.Duration;

/**
 * Tells waiting readers that a database has moved past a revision (ADR 0004, "change
 * notification"). Live subscriptions block on it instead of polling storage. An adapter that can
 * signal on commit implements it; {@link #polling} serves the others.
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
   * Notifications by reading the catalog every {@code interval}: correct for any adapter, with up
   * to one interval of extra latency.
   */
  static ChangeNotifications polling(StorageAdapter storage, Duration interval) {
    long intervalNanos = Math.max(1, interval.toNanos());
    return (database, revision, timeout) -> {
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
    };
  }
}
