package io.evidentsource.storage.local;

import io.evidentsource.core.error.EvidentSourceException;
import org.jspecify.annotations.Nullable;

/**
 * Group commit of write-ahead-log syncs for pipelined appends ({@code sync=always}): a writer
 * writes its batch without a sync, takes a ticket, and later {@link #await}s it. The first waiter
 * finding no sync in flight syncs the log once for every ticket handed out so far; waiters that
 * arrive during that sync wait for it and then one of them syncs for all of them. So a sync serves
 * every append written while the previous one was in flight, also appends to one database, whose
 * compare and set (under the database's lock) no longer waits for the disk.
 *
 * <p>A ticket is taken after its write returned, so a sync that starts after the ticket was handed
 * out covers the write. A failed sync fails its waiters and every later one: the log may hold
 * writes that are not on disk, so nothing more may be acknowledged until the log is recovered: by a
 * reopen of the directory ({@link #reset}) or a restart.
 */
final class WalSync {
  /** Syncs the write-ahead log; throws when it could not. */
  interface Syncer {
    void sync();
  }

  private final Syncer syncer;
  private long issued;
  private long synced;
  private boolean syncing;
  private @Nullable EvidentSourceException failure;

  WalSync(Syncer syncer) {
    this.syncer = syncer;
  }

  /** A ticket for a write that has just returned. */
  synchronized long ticket() {
    return ++issued;
  }

  /**
   * Throws the failure of an earlier sync, if any: no write may be acknowledged after it.
   *
   * @throws EvidentSourceException {@code INTERNAL}
   */
  synchronized void checkHealthy() {
    EvidentSourceException failed = failure;
    if (failed != null) {
      throw failed;
    }
  }

  /**
   * Forgets a failed sync after the directory was reopened: the reopen replayed the log and wrote
   * it to table files, so every write handed a ticket so far is on disk or lost for good (the
   * caller checks which in the reloaded catalog).
   */
  synchronized void reset() {
    failure = null;
    synced = Math.max(synced, issued);
    notifyAll();
  }

  /** The highest ticket known to be on disk. */
  synchronized long synced() {
    return synced;
  }

  /**
   * Returns once the write of {@code ticket} is on disk, syncing the log when no sync is in flight.
   * Not interruptible (the write is in the log either way); the interrupt flag is kept.
   *
   * @throws EvidentSourceException {@code INTERNAL} when this or an earlier sync failed
   */
  void await(long ticket) {
    boolean interrupted = false;
    try {
      while (true) {
        long target;
        synchronized (this) {
          while (true) {
            if (synced >= ticket) {
              return;
            }
            EvidentSourceException failed = failure;
            if (failed != null) {
              throw failed;
            }
            if (!syncing) {
              break;
            }
            try {
              wait();
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          syncing = true;
          target = issued;
        }
        EvidentSourceException error = null;
        try {
          syncer.sync();
        } catch (EvidentSourceException e) {
          error = e;
        } finally {
          synchronized (this) {
            syncing = false;
            if (error != null) {
              failure = error;
            } else {
              synced = Math.max(synced, target);
            }
            notifyAll();
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
