package io.evidentsource.wasm;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import io.evidentsource.core.component.ComponentRuntime;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * One instantiated guest with the per-call state its host imports see. Used by one thread at a time
 * (taken from and returned to its module's pool).
 */
final class Guest {
  final FixedClock clock;
  final Random random;
  @Nullable Instance instance;
  @Nullable ExportFunction alloc;
  @Nullable ExportFunction entry;

  /** The view reader of the running {@code decide}; null during {@code evolve}. */
  ComponentRuntime.@Nullable ViewReader views;

  /** The message the guest passed to {@code evidentsource.error} during this call. */
  @Nullable String errorMessage;

  /** {@code view_state} calls made during this call. */
  int viewReads;

  /** Bytes written to the log during this call. */
  long logBytes;

  /** The instance's memory, whose pages count against the server-wide budget. */
  @Nullable GuestMemory memory;

  /** When the guest was last put into its pool ({@code System.nanoTime} scale). */
  volatile long idleSince;

  Guest(FixedClock clock, Random random) {
    this.clock = clock;
    this.random = random;
  }

  void resetCall() {
    views = null;
    errorMessage = null;
    viewReads = 0;
    logBytes = 0;
  }
}
