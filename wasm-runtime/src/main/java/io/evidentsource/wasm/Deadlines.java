package io.evidentsource.wasm;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The deadlines of guest code running on each thread (docs/wasm-abi.md: a deadline per call,
 * enforced by interrupting the thread), and what does not count against them: a deadline is paused
 * while the host does one-time work on the same thread (loading, compiling, instantiating or
 * warming up a module, e.g. a view that a {@code decide} reads through {@code view_state} and this
 * server has not loaded yet), and a call's deadline is extended by the time the JVM spent on JIT
 * compilation while the call ran (at most a cap per call). Guest calls nest ({@code decide} →
 * {@code view_state} → {@code evolve}), so each thread has a stack of running deadlines; the
 * one-time work pauses them all. Thread-safe.
 */
final class Deadlines {
  private final ScheduledExecutorService watchdog;
  private final LongSupplier jitMillis;
  private final ThreadLocal<ArrayDeque<Deadline>> running =
      ThreadLocal.withInitial(ArrayDeque::new);

  /**
   * @param watchdog the thread that interrupts callers whose deadline passed
   * @param jitMillis the JVM's total JIT compilation time in milliseconds, ever growing ({@code
   *     CompilationMXBean#getTotalCompilationTime}); a constant turns the extension off
   */
  Deadlines(ScheduledExecutorService watchdog, LongSupplier jitMillis) {
    this.watchdog = watchdog;
    this.jitMillis = jitMillis;
  }

  /**
   * Starts a deadline for guest code about to run on this thread; the caller must {@link
   * Deadline#finish} it in a {@code finally}.
   *
   * @param limit when to interrupt the thread
   * @param jitAllowance the most the deadline is extended by JIT compilation; zero for none
   */
  Deadline start(Duration limit, Duration jitAllowance) {
    var deadline = new Deadline(Thread.currentThread(), limit, jitAllowance.toMillis());
    running.get().push(deadline);
    deadline.resume();
    return deadline;
  }

  /**
   * Runs one-time host work with every deadline of this thread paused, so it does not count against
   * the guest calls waiting for it. A deadline that already passed is not paused: its call is being
   * interrupted anyway.
   */
  <T> T excluded(Supplier<T> work) {
    var stack = running.get();
    if (stack.isEmpty()) {
      return work.get();
    }
    var paused = new ArrayDeque<Deadline>();
    for (var deadline : stack) {
      if (deadline.pause()) {
        paused.push(deadline);
      }
    }
    try {
      return work.get();
    } finally {
      for (var deadline : paused) {
        deadline.resume();
      }
    }
  }

  /** One running deadline. Its fields are guarded by itself (the caller and the watchdog). */
  final class Deadline {
    private final Thread thread;
    private final long jitAllowanceMillis;
    private long remainingNanos;
    private long resumedAt;
    private long jitAtResume;
    private long jitWhileRunning;
    private long extendedMillis;
    private @Nullable ScheduledFuture<?> timer;
    private boolean paused;
    private boolean fired;
    private boolean finished;

    private Deadline(Thread thread, Duration limit, long jitAllowanceMillis) {
      this.thread = thread;
      this.remainingNanos = limit.toNanos();
      this.jitAllowanceMillis = jitAllowanceMillis;
    }

    /** Whether the deadline passed and the thread was interrupted. */
    synchronized boolean fired() {
      return fired;
    }

    /**
     * Ends the deadline: no interrupt comes after this. Clears the thread's interrupt flag when the
     * deadline set it, so it does not leak into what the thread does next.
     *
     * @return whether the deadline fired
     */
    boolean finish() {
      running.get().remove(this);
      synchronized (this) {
        finished = true;
        cancelTimer();
        if (fired) {
          Thread.interrupted();
        }
        return fired;
      }
    }

    private synchronized void resume() {
      if (finished || fired) {
        return;
      }
      paused = false;
      resumedAt = System.nanoTime();
      jitAtResume = jitMillis.getAsLong();
      timer = watchdog.schedule(this::expire, remainingNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the clock; false when it is stopped already (one-time work nests) or the deadline
     * already fired (then it stays fired).
     */
    private synchronized boolean pause() {
      if (finished || fired || paused) {
        return false;
      }
      paused = true;
      cancelTimer();
      remainingNanos -= System.nanoTime() - resumedAt;
      jitWhileRunning += jitMillis.getAsLong() - jitAtResume;
      return true;
    }

    /**
     * The watchdog's turn: when the JVM compiled code while the call ran, the deadline moves out by
     * that much (up to the allowance); otherwise the thread is interrupted.
     */
    private synchronized void expire() {
      if (finished || fired) {
        return;
      }
      long now = jitMillis.getAsLong();
      long jit = jitWhileRunning + now - jitAtResume;
      long extension = Math.min(jit - extendedMillis, jitAllowanceMillis - extendedMillis);
      if (extension > 0) {
        extendedMillis += extension;
        jitWhileRunning = jit;
        jitAtResume = now;
        remainingNanos = TimeUnit.MILLISECONDS.toNanos(extension);
        resumedAt = System.nanoTime();
        timer = watchdog.schedule(this::expire, remainingNanos, TimeUnit.NANOSECONDS);
        return;
      }
      fired = true;
      thread.interrupt();
    }

    private void cancelTimer() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }
  }
}
