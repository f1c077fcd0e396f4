package io.evidentsource.server.live;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.SmartLifecycle;

/**
 * The threads of live subscriptions (a reader and a sender per open subscription), as a lifecycle:
 * stopping (first of all, at the highest phase) interrupts them, which ends every open SSE and gRPC
 * stream, so the graceful shutdown of the web and gRPC servers does not wait for endless streams;
 * starting again (a restarted context) brings up a fresh pool.
 */
public final class SubscriptionThreads extends AbstractExecutorService implements SmartLifecycle {
  private final AtomicInteger count = new AtomicInteger();
  private volatile ExecutorService pool = newPool();
  private volatile boolean running;

  private ExecutorService newPool() {
    return Executors.newCachedThreadPool(
        runnable -> {
          var t = new Thread(runnable, "es-subscription-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
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
    pool.shutdownNow();
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
