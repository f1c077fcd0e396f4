package io.evidentsource.server.live;

import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionItem;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves one live {@link Subscription} into one client stream without a thread of its own: the pump
 * behind both the SSE live tail and gRPC {@code SubscribeEvents}. It runs whenever the subscription
 * has new items ({@link Subscription#onAvailable}) or the stream can take more ({@link #drain()},
 * called by the transport's readiness callback), on whichever thread calls, one thread at a time;
 * it writes only while the {@link Sink} is ready and never blocks.
 *
 * <p>A client that stops reading fills the subscription's bounded buffer until the engine ends the
 * subscription with {@code slow_consumer}; the end is reported at once, without draining the
 * buffer. The tail stops when the client went away ({@link #close()}), when the server ends the
 * subscription ({@link Sink#ended}), when the server shuts down ({@link #shutDown()}, {@link
 * Sink#shuttingDown}) or when writing fails ({@link Sink#failed}); the subscription is closed then.
 */
public final class LiveTail {

  /** One protocol's stream. The pump calls it from one thread at a time; nothing may block. */
  public interface Sink {
    /** Whether the stream can take a message now without blocking. */
    boolean isReady();

    /** Called once, before any item, when the stream is first ready. */
    default void opened() throws IOException {}

    /** A matching event, in revision order. */
    void event(StoredEvent event) throws IOException;

    /** Nothing matched for a while; the subscription has read up to {@code revision}. */
    void heartbeat(long revision) throws IOException;

    /** Sends what was written so far (called when no item waits, while the stream is ready). */
    default void flush() throws IOException {}

    /**
     * The server ended the subscription ({@code slow_consumer}, database deleted): tell the client
     * why if the stream can take it, and close the stream.
     */
    void ended(EvidentSourceException reason) throws IOException;

    /**
     * The server is shutting down: close the stream so that graceful shutdown need not wait for it;
     * the client resumes after the last revision it received.
     */
    void shuttingDown();

    /**
     * Writing failed ({@link IOException}, or an {@link IllegalStateException} of a stream the
     * client closed) or something unexpected happened; close the stream.
     */
    void failed(Exception failure);
  }

  private final Subscription subscription;
  private final Sink sink;
  private final Runnable onFinish;
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean shutdownRequested;
  private boolean opened;
  private boolean unflushed;
  private boolean finished;

  LiveTail(Subscription subscription, Sink sink, Runnable onFinish) {
    this.subscription = subscription;
    this.sink = sink;
    this.onFinish = onFinish;
  }

  /** Starts pumping: from now on, items the subscription announces are sent. */
  void start() {
    subscription.onAvailable(this::drain);
    drain();
  }

  /**
   * Sends what the stream can take now; any thread may call it (the transport's readiness callback,
   * the subscription's announcements). When another thread is pumping, that thread pumps once more
   * instead.
   */
  public void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      pump();
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /** The client went away: closes the subscription; the tail stops. */
  public void close() {
    subscription.close();
    drain();
  }

  /** The server is shutting down: the stream is closed with {@link Sink#shuttingDown()}. */
  void shutDown() {
    shutdownRequested = true;
    drain();
  }

  private void pump() {
    if (finished) {
      return;
    }
    try {
      if (subscription.isClosed()) {
        finish();
        return;
      }
      if (shutdownRequested) {
        sink.shuttingDown();
        finish();
        return;
      }
      if (!opened) {
        if (!sink.isReady()) {
          return;
        }
        sink.opened();
        opened = true;
        unflushed = true;
      }
      while (sink.isReady()) {
        var item = subscription.poll();
        if (item == null) {
          if (!unflushed) {
            return;
          }
          sink.flush();
          unflushed = false;
          continue;
        }
        if (!send(item)) {
          finish();
          return;
        }
        unflushed = true;
      }
      // the client is not reading: an end the server decided is reported without waiting for it
      var reason = subscription.endReason();
      if (reason != null) {
        sink.ended(reason);
        finish();
      }
    } catch (java.io.UncheckedIOException e) {
      sink.failed(java.util.Objects.requireNonNullElse((Exception) e.getCause(), e));
      finish();
    } catch (IOException | RuntimeException e) {
      sink.failed(e);
      finish();
    }
  }

  private void finish() {
    finished = true;
    subscription.close();
    onFinish.run();
  }

  /** Sends one item; false when it ended the stream. */
  private boolean send(SubscriptionItem item) throws IOException {
    return item.match(
        delivered -> write(() -> sink.event(delivered.event()), true),
        heartbeat -> write(() -> sink.heartbeat(heartbeat.revision()), true),
        ended -> write(() -> sink.ended(ended.error()), false));
  }

  /** A sink call that may fail with the sink's {@link IOException}. */
  @FunctionalInterface
  private interface Write {
    void run() throws IOException;
  }

  private static boolean write(Write write, boolean goOn) {
    try {
      write.run();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return goOn;
  }
}
