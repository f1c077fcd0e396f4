package io.evidentsource.core.subscription;

import io.evidentsource.core.error.EvidentSourceException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One live subscription: a bounded buffer filled by the engine and drained by the consumer with
 * {@link #poll()}. Items arrive in revision order, every matching revision exactly once. Close it
 * when done; closing stops the engine's work for it at once.
 *
 * <p>No thread belongs to a subscription. The engine fills the buffer on a shared dispatcher when
 * the database moves; a consumer that is pushed to (a network stream) registers {@link
 * #onAvailable} and drains without blocking, a consumer with a thread of its own may block in
 * {@link #poll(Duration)}.
 *
 * <p>The buffer holds at most {@link SubscriptionOptions#bufferSize()} items. When it is full and
 * the consumer takes nothing for {@link SubscriptionOptions#maxStall()}, the engine ends the
 * subscription: the consumer receives {@link SubscriptionItem.Ended} with {@code SLOW_CONSUMER}
 * after the buffered items.
 */
public final class Subscription implements AutoCloseable {
  private final ConcurrentLinkedQueue<SubscriptionItem> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger buffered = new AtomicInteger();
  private final int bufferSize;
  private final Object signal = new Object();
  private final AtomicLong consumed = new AtomicLong();
  private volatile int blockedPollers;
  private volatile boolean closed;
  private volatile @Nullable EvidentSourceException endReason;
  private volatile @Nullable Runnable onClose;
  private volatile Runnable onAvailable = () -> {};
  private volatile Runnable onSpace = () -> {};

  /** When the engine found the buffer full (System.nanoTime), or 0 while it has room. */
  private volatile long fullSince;

  Subscription(SubscriptionOptions options) {
    this.bufferSize = options.bufferSize();
  }

  /**
   * Calls {@code listener} whenever items were added or the subscription ended. It runs on the
   * engine's dispatcher: it must not block (it typically drains with {@link #poll()} while its
   * stream can take more, or hands that work on). Items already buffered are not announced again:
   * drain once after registering.
   */
  public void onAvailable(Runnable listener) {
    this.onAvailable = listener;
  }

  /** The next item, or null when none is buffered now (also after {@link #close()}). */
  public @Nullable SubscriptionItem poll() {
    var item = queue.poll();
    if (item != null && item.match(delivered -> true, heartbeat -> true, ended -> false)) {
      int left = buffered.decrementAndGet();
      long through = item.match(d -> d.event().revision(), h -> h.revision(), e -> 0L);
      consumedThrough(through);
      if (fullSince != 0) {
        // the consumer is reading: the stall clock starts again, and once half the buffer is
        // free the engine fills it again
        fullSince = System.nanoTime() | 1;
        if (left <= bufferSize / 2) {
          fullSince = 0;
          onSpace.run();
        }
      }
    }
    return item;
  }

  /**
   * The next item, waiting up to {@code timeout} (for consumers with a thread of their own).
   *
   * @return the item, or null when none arrived in time (also after {@link #close()})
   */
  public @Nullable SubscriptionItem poll(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      var item = poll();
      if (item != null || closed) {
        return item;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      synchronized (signal) {
        blockedPollers++;
        try {
          if (queue.isEmpty() && !closed) {
            TimeUnit.NANOSECONDS.timedWait(signal, left);
          }
        } finally {
          blockedPollers--;
        }
      }
    }
  }

  /**
   * The revision the consumer has consumed through: every revision up to it was taken or skipped.
   */
  long consumed() {
    return consumed.get();
  }

  void consumedThrough(long revision) {
    consumed.accumulateAndGet(revision, Math::max);
  }

  /**
   * The engine scanned every revision up to {@code revision}; when nothing is left in the buffer
   * the consumer has everything up to it.
   */
  void scannedThrough(long revision) {
    if (queue.isEmpty()) {
      consumedThrough(revision);
    }
  }

  /**
   * Whether the server side ended this subscription (an {@link SubscriptionItem.Ended} is queued
   * behind the buffered items).
   */
  public boolean isEnded() {
    return endReason != null;
  }

  /**
   * Why the server side ended this subscription, or null while it runs. A transport whose
   * subscriber stopped reading uses it to close the stream without draining the buffer first.
   */
  public @Nullable EvidentSourceException endReason() {
    return endReason;
  }

  /** Whether the consumer closed this subscription. */
  public boolean isClosed() {
    return closed;
  }

  /** Stops the subscription; buffered items are dropped and the engine forgets it promptly. */
  @Override
  public void close() {
    closed = true;
    queue.clear();
    wakePollers();
    var hook = onClose;
    if (hook != null) {
      hook.run();
    }
  }

  void onClose(Runnable hook) {
    this.onClose = hook;
    if (closed) {
      hook.run();
    }
  }

  /** Called (on the consumer's thread) when the consumer freed half the buffer after it filled. */
  void onSpace(Runnable hook) {
    this.onSpace = hook;
  }

  /** Whether the buffer can take another item. */
  boolean hasSpace() {
    return buffered.get() < bufferSize;
  }

  /** The engine found the buffer full: the stall clock starts unless it already runs. */
  void markFull() {
    if (fullSince == 0) {
      fullSince = System.nanoTime() | 1;
    }
    if (hasSpace() && fullSince != 0) {
      // the consumer freed space between the check and now: let the engine go on
      fullSince = 0;
      onSpace.run();
    }
  }

  /** How long the buffer has been full without the consumer taking anything, in nanoseconds. */
  long stalledNanos(long now) {
    long since = fullSince;
    return since == 0 ? 0 : now - since;
  }

  /** Adds an item for the consumer (the engine checked {@link #hasSpace()}). */
  void add(SubscriptionItem item) {
    if (closed || endReason != null) {
      return;
    }
    buffered.incrementAndGet();
    queue.add(item);
  }

  /** Tells the consumer that items were added. */
  void announce() {
    wakePollers();
    onAvailable.run();
  }

  /** Ends the subscription with a final item, whatever the buffer holds. */
  void end(SubscriptionItem.Ended item) {
    synchronized (this) {
      if (endReason != null || closed) {
        return;
      }
      endReason = item.error();
      queue.add(item);
    }
    announce();
  }

  private void wakePollers() {
    if (blockedPollers > 0) {
      synchronized (signal) {
        signal.notifyAll();
      }
    }
  }
}
