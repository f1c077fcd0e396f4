package io.evidentsource.core.subscription;

import io.evidentsource.core.error.EvidentSourceException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One live subscription: a bounded buffer filled by the engine's reader and drained by the consumer
 * with {@link #poll}. Items arrive in revision order, every matching revision exactly once. Close
 * it when done; closing stops the reader at once (it no longer reads storage).
 *
 * <p>The buffer holds at most {@link SubscriptionOptions#bufferSize()} items. When it stays full
 * for {@link SubscriptionOptions#maxStall()}, the reader stops and the consumer receives {@link
 * SubscriptionItem.Ended} with {@code SLOW_CONSUMER} after the buffered items.
 */
public final class Subscription implements AutoCloseable {
  private final LinkedBlockingQueue<SubscriptionItem> queue = new LinkedBlockingQueue<>();
  private final Semaphore space;
  private final Duration maxStall;
  private volatile boolean closed;
  private volatile @Nullable EvidentSourceException endReason;
  private volatile @Nullable Runnable onClose;
  private final AtomicLong consumed = new AtomicLong();

  Subscription(SubscriptionOptions options) {
    this.space = new Semaphore(options.bufferSize());
    this.maxStall = options.maxStall();
  }

  /**
   * The next item, waiting up to {@code timeout}.
   *
   * @return the item, or null when none arrived in time (also after {@link #close()})
   */
  public @Nullable SubscriptionItem poll(Duration timeout) throws InterruptedException {
    var item = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (item != null && item.match(delivered -> true, heartbeat -> true, ended -> false)) {
      space.release(); // the item took buffer space in offer; an Ended was queued by end()
      long through = item.match(d -> d.event().revision(), h -> h.revision(), e -> 0L);
      consumedThrough(through);
    }
    return item;
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
   * The reader scanned every revision up to {@code revision}; when nothing is left in the buffer
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

  /** Stops the subscription; buffered items are dropped and the reader ends promptly. */
  @Override
  public void close() {
    closed = true;
    queue.clear();
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

  /**
   * Adds an item for the consumer, waiting up to maxStall for buffer space.
   *
   * @return false when the consumer closed or was cut off; the reader must stop
   */
  boolean offer(SubscriptionItem item) throws InterruptedException {
    if (closed || endReason != null) {
      return false;
    }
    if (!space.tryAcquire(maxStall.toNanos(), TimeUnit.NANOSECONDS)) {
      return false;
    }
    if (closed) {
      return false;
    }
    queue.add(item);
    return true;
  }

  /** Ends the subscription with a final item, whatever the buffer holds. */
  void end(SubscriptionItem.Ended item) {
    if (endReason == null && !closed) {
      endReason = item.error();
      queue.add(item);
    }
  }
}
