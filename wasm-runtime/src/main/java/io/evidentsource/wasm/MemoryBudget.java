package io.evidentsource.wasm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget of guest linear memory, in 64 KiB pages ({@link
 * WasmLimits#maxTotalMemoryBytes()}): every instance, running or idle, holds its pages of it
 * through its {@link GuestMemory}. Thread-safe.
 */
final class MemoryBudget {
  private final long maxPages;
  private final AtomicLong reserved = new AtomicLong();

  MemoryBudget(long maxPages) {
    this.maxPages = maxPages;
  }

  /** Takes {@code pages} of the budget if that many are free; false (and nothing taken) if not. */
  boolean tryReserve(long pages) {
    while (true) {
      long current = reserved.get();
      if (current + pages > maxPages) {
        return false;
      }
      if (reserved.compareAndSet(current, current + pages)) {
        return true;
      }
    }
  }

  /** Gives {@code pages} back. */
  void release(long pages) {
    reserved.addAndGet(-pages);
  }

  /** Pages taken now. */
  long reservedPages() {
    return reserved.get();
  }

  /** The budget in pages. */
  long maxPages() {
    return maxPages;
  }
}
