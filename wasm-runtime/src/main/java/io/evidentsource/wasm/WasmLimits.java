package io.evidentsource.wasm;

import java.time.Duration;
import java.util.Objects;

/**
 * The sandbox limits (docs/limits.md#webassembly-components); every one is enforced and
 * configurable.
 *
 * @param maxModuleBytes largest module accepted at publish (default 16 MiB)
 * @param maxMemoryBytes largest linear memory a guest may grow to (default 100 MiB, rounded down to
 *     64 KiB pages)
 * @param callTimeout deadline of one guest call, enforced by interrupting the calling thread
 *     (default 5 s)
 * @param maxOutputBytes largest output (state or decision) a guest may return (default 16 MiB)
 * @param evolveBatchEvents most events handed to one {@code evolve} call (default 1000)
 * @param evolveBatchBytes most JSON bytes of events handed to one {@code evolve} call (default 1
 *     MiB; a single larger event still goes alone)
 * @param maxViewReads most {@code view_state} calls one {@code decide} may make (default 64)
 * @param poolSize most idle instances kept per component version (default 8)
 * @param compile whether to compile modules to JVM bytecode (true) or interpret them (false); a
 *     module the compiler cannot handle is interpreted either way
 */
public record WasmLimits(
    int maxModuleBytes,
    long maxMemoryBytes,
    Duration callTimeout,
    int maxOutputBytes,
    int evolveBatchEvents,
    int evolveBatchBytes,
    int maxViewReads,
    int poolSize,
    boolean compile) {
  /** The size of one WebAssembly memory page. */
  public static final int PAGE_BYTES = 65536;

  public WasmLimits {
    Objects.requireNonNull(callTimeout, "callTimeout");
    positive("maxModuleBytes", maxModuleBytes);
    if (maxMemoryBytes < PAGE_BYTES) {
      throw new IllegalArgumentException("maxMemoryBytes must be >= 65536, was " + maxMemoryBytes);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
    }
    positive("maxOutputBytes", maxOutputBytes);
    positive("evolveBatchEvents", evolveBatchEvents);
    positive("evolveBatchBytes", evolveBatchBytes);
    positive("maxViewReads", maxViewReads);
    positive("poolSize", poolSize);
  }

  private static void positive(String field, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be >= 1, was " + value);
    }
  }

  /** The defaults (docs/limits.md#webassembly-components). */
  public static WasmLimits defaults() {
    return new WasmLimits(
        16 << 20, 100L << 20, Duration.ofSeconds(5), 16 << 20, 1000, 1 << 20, 64, 8, true);
  }

  /** The memory cap in pages. */
  public int maxMemoryPages() {
    return (int) Math.min(65536, maxMemoryBytes / PAGE_BYTES);
  }

  public WasmLimits withCallTimeout(Duration timeout) {
    return new WasmLimits(
        maxModuleBytes,
        maxMemoryBytes,
        timeout,
        maxOutputBytes,
        evolveBatchEvents,
        evolveBatchBytes,
        maxViewReads,
        poolSize,
        compile);
  }

  public WasmLimits withMaxMemoryBytes(long bytes) {
    return new WasmLimits(
        maxModuleBytes,
        bytes,
        callTimeout,
        maxOutputBytes,
        evolveBatchEvents,
        evolveBatchBytes,
        maxViewReads,
        poolSize,
        compile);
  }

  public WasmLimits withMaxOutputBytes(int bytes) {
    return new WasmLimits(
        maxModuleBytes,
        maxMemoryBytes,
        callTimeout,
        bytes,
        evolveBatchEvents,
        evolveBatchBytes,
        maxViewReads,
        poolSize,
        compile);
  }

  public WasmLimits withMaxModuleBytes(int bytes) {
    return new WasmLimits(
        bytes,
        maxMemoryBytes,
        callTimeout,
        maxOutputBytes,
        evolveBatchEvents,
        evolveBatchBytes,
        maxViewReads,
        poolSize,
        compile);
  }

  public WasmLimits withEvolveBatchEvents(int events) {
    return new WasmLimits(
        maxModuleBytes,
        maxMemoryBytes,
        callTimeout,
        maxOutputBytes,
        events,
        evolveBatchBytes,
        maxViewReads,
        poolSize,
        compile);
  }

  public WasmLimits withEvolveBatchBytes(int bytes) {
    return new WasmLimits(
        maxModuleBytes,
        maxMemoryBytes,
        callTimeout,
        maxOutputBytes,
        evolveBatchEvents,
        bytes,
        maxViewReads,
        poolSize,
        compile);
  }

  public WasmLimits withCompile(boolean compile) {
    return new WasmLimits(
        maxModuleBytes,
        maxMemoryBytes,
        callTimeout,
        maxOutputBytes,
        evolveBatchEvents,
        evolveBatchBytes,
        maxViewReads,
        poolSize,
        compile);
  }
}
