package io.evidentsource.server.live;

import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionItem;
import java.io.IOException;
import java.time.Duration;

/**
 * Pumps one live {@link Subscription} into one client stream: the loop behind both the SSE live
 * tail and gRPC {@code SubscribeEvents}. Run it on a {@link SubscriptionThreads} thread.
 *
 * <p>It writes only while the {@link Sink} is ready (gRPC flow control), so a client that stops
 * reading fills the subscription's bounded buffer until the subscription ends it with {@code
 * slow_consumer}; while it waits for readiness it still notices that end and reports it without
 * draining the buffer. It stops when the subscription is closed ({@link #close()}: the client went
 * away), when the server ends the subscription ({@link Sink#ended}), when its thread is interrupted
 * (the server shuts down: {@link Sink#shuttingDown}) or when writing fails ({@link Sink#failed}).
 * The subscription is closed when it returns.
 */
public final class LiveTail implements Runnable {
  /** How long to wait for an item, or for the sink to become ready, before looking again. */
  static final Duration POLL = Duration.ofMillis(200);

  /** One protocol's stream. The pump calls it from its own thread only. */
  public interface Sink {
    /** Whether the client can take a message now; SSE always can, gRPC asks its transport. */
    default boolean isReady() {
      return true;
    }

    /** Called once, before any item. */
    default void opened() throws IOException {}

    /** A matching event, in revision order. */
    void event(StoredEvent event) throws IOException;

    /** Nothing matched for a while; the subscription has read up to {@code revision}. */
    void heartbeat(long revision) throws IOException;

    /**
     * The server ended the subscription ({@code slow_consumer}, database deleted): tell the client
     * why and close the stream.
     */
    void ended(EvidentSourceException reason) throws IOException;

    /**
     * The server is shutting down: close the stream so that graceful shutdown need not wait for it;
     * the client resumes after the last revision it received.
     */
    void shuttingDown();

    /**
     * Writing failed ({@link IOException}, or an {@link IllegalStateException} of a stream the
     * client closed) or something unexpected happened.
     */
    void failed(Exception failure);
  }

  private final Subscription subscription;
  private final Sink sink;
  private final Object signal = new Object();

  public LiveTail(Subscription subscription, Sink sink) {
    this.subscription = subscription;
    this.sink = sink;
  }

  /** Wakes the pump when the sink may have become ready; any thread may call it. */
  public void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /** The client went away: closes the subscription and wakes the pump, which then returns. */
  public void close() {
    subscription.close();
    wake();
  }

  @Override
  public void run() {
    try (subscription) {
      sink.opened();
      while (!subscription.isClosed()) {
        while (!sink.isReady()) {
          if (subscription.isClosed()) {
            return;
          }
          var reason = subscription.endReason();
          if (reason != null) {
            sink.ended(reason);
            return;
          }
          synchronized (signal) {
            signal.wait(POLL.toMillis());
          }
        }
        var item = subscription.poll(POLL);
        if (item != null && !send(item).run()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sink.shuttingDown();
    } catch (IOException | RuntimeException e) {
      sink.failed(e);
    }
  }

  /** A step that may fail with the sink's {@link IOException}; false when the stream ended. */
  @FunctionalInterface
  private interface Send {
    boolean run() throws IOException;
  }

  /** The sink call for one item (a {@code match} function cannot throw the sink's exception). */
  private Send send(SubscriptionItem item) {
    return item.match(
        delivered ->
            () -> {
              sink.event(delivered.event());
              return true;
            },
        heartbeat ->
            () -> {
              sink.heartbeat(heartbeat.revision());
              return true;
            },
        ended ->
            () -> {
              sink.ended(ended.error());
              return false;
            });
  }
}
