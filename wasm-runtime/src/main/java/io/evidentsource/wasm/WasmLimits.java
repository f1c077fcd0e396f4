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
 *     (default 5 s). One-time work never counts against it: loading, compiling, instantiating or
 *     warming up a module the call waits for, and the JVM's JIT compilation while the call runs
 *     (the deadline moves out by as much, up to {@code warmUpTimeout})
 * @param maxOutputBytes largest output (state or decision) a guest may return (default 16 MiB)
 * @param evolveBatchEvents most events handed to one {@code evolve} call (default 1000)
 * @param evolveBatchBytes most JSON bytes of events handed to one {@code evolve} call (default 1
 *     MiB; a single larger event still goes alone)
 * @param maxViewReads most {@code view_state} calls one {@code decide} may make (default 64)
 * @param poolSize most idle instances kept per component version (default 8)
 * @param compile whether to compile modules to JVM bytecode (true) or interpret them (false); a
 *     module the compiler cannot handle is interpreted either way
 * @param warmUpTimeout the budget of one-time work (default 30 s): instantiating a guest (its
 *     {@code _initialize}); the warm-up calls when a module is loaded, together (a warm-up that
 *     runs out of it stops early, and the module is loaded all the same); and the most a call's
 *     deadline moves out for JIT compilation
 * @param warmUpCalls how many warm-up calls of its entry point, on synthetic input (a full {@code
 *     evolve} batch of events, or an empty command) and a throwaway instance, a compiled module
 *     gets when it is loaded, so the JVM compiles its code before the first real call (default 3; 0
 *     turns warm-up off)
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
    boolean compile,
    Duration warmUpTimeout,
    int warmUpCalls) {
  /** The size of one WebAssembly memory page. */
  public static final int PAGE_BYTES = 65536;

  public WasmLimits {
    Objects.requireNonNull(callTimeout, "callTimeout");
    Objects.requireNonNull(warmUpTimeout, "warmUpTimeout");
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
    if (warmUpTimeout.isNegative() || warmUpTimeout.isZero()) {
      throw new IllegalArgumentException("warmUpTimeout must be positive, was " + warmUpTimeout);
    }
    if (warmUpCalls < 0) {
      throw new IllegalArgumentException("warmUpCalls must be >= 0, was " + warmUpCalls);
    }
  }

  private static void positive(String field, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be >= 1, was " + value);
    }
  }

  /** The defaults (docs/limits.md#webassembly-components). */
  public static WasmLimits defaults() {
    return new WasmLimits(
        16 << 20,
        100L << 20,
        Duration.ofSeconds(5),
        16 << 20,
        1000,
        1 << 20,
        64,
        8,
        true,
        Duration.ofSeconds(30),
        3);
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
        compile,
        warmUpTimeout,
        warmUpCalls);
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
        compile,
        warmUpTimeout,
        warmUpCalls);
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
        compile,
        warmUpTimeout,
        warmUpCalls);
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
        compile,
        warmUpTimeout,
        warmUpCalls);
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
        compile,
        warmUpTimeout,
        warmUpCalls);
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
        compile,
        warmUpTimeout,
        warmUpCalls);
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
        compile,
        warmUpTimeout,
        warmUpCalls);
  }

  public WasmLimits withWarmUpTimeout(Duration timeout) {
    return new WasmLimits(
        maxModuleBytes,
        maxMemoryBytes,
        callTimeout,
        maxOutputBytes,
        evolveBatchEvents,
        evolveBatchBytes,
        maxViewReads,
        poolSize,
        compile,
        timeout,
        warmUpCalls);
  }

  public WasmLimits withWarmUpCalls(int calls) {
    return new WasmLimits(
        maxModuleBytes,
        maxMemoryBytes,
        callTimeout,
        maxOutputBytes,
        evolveBatchEvents,
        evolveBatchBytes,
        maxViewReads,
        poolSize,
        compile,
        warmUpTimeout,
        calls);
  }
}
