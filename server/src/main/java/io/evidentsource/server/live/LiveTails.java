package io.evidentsource.server.live;

import io.evidentsource.core.subscription.Subscription;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.SmartLifecycle;

/**
 * The open live tails (SSE and gRPC) and the few threads that move their events: a fixed pool of
 * dispatcher threads shared by every subscription ({@code SubscriptionEngine} fills buffers on it,
 * and tails pump on it), so an idle subscriber costs no thread. As a lifecycle, stopping (first of
 * all, at the highest phase) closes every open stream with {@link LiveTail.Sink#shuttingDown()}, so
 * the graceful shutdown of the web and gRPC servers does not wait for endless streams; starting
 * again (a restarted context) brings up a fresh pool.
 */
public final class LiveTails extends AbstractExecutorService implements SmartLifecycle {
  private final int threads;
  private final AtomicInteger count = new AtomicInteger();
  private final Set<LiveTail> open = ConcurrentHashMap.newKeySet();
  private volatile ExecutorService pool;
  private volatile boolean running;

  /**
   * @param threads dispatcher threads, ≥ 1
   */
  public LiveTails(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("dispatcher threads must be >= 1, was " + threads);
    }
    this.threads = threads;
    this.pool = newPool();
  }

  private ExecutorService newPool() {
    return Executors.newFixedThreadPool(
        threads,
        runnable -> {
          var t = new Thread(runnable, "es-live-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Starts moving {@code subscription} into {@code sink}.
   *
   * @return the tail, whose {@link LiveTail#drain()} the transport calls when its stream becomes
   *     ready and whose {@link LiveTail#close()} it calls when the client goes away
   */
  public LiveTail open(Subscription subscription, LiveTail.Sink sink) {
    var tail = new LiveTail[1];
    tail[0] = new LiveTail(subscription, sink, () -> open.remove(tail[0]));
    open.add(tail[0]);
    if (!running && pool.isShutdown()) {
      tail[0].shutDown();
    } else {
      tail[0].start();
    }
    return tail[0];
  }

  /** How many tails are open now. */
  public int openCount() {
    return open.size();
  }

  @Override
  public void execute(Runnable command) {
    pool.execute(command);
  }

  @Override
  public void start() {
    if (pool.isShutdown()) {
      pool = newPool();
    }
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    for (LiveTail tail : open) {
      tail.shutDown();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }

  @Override
  public void shutdown() {
    pool.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return pool.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return pool.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return pool.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return pool.awaitTermination(timeout, unit);
  }
}
