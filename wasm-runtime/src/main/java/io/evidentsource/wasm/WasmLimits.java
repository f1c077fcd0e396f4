package io.evidentsource.wasm;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

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
 * @param poolIdleTimeout how long an instance may sit idle in its pool before it is released
 *     (default 60 s), so a version's pool shrinks back to nothing when its calls stop
 * @param maxTotalMemoryBytes the server-wide budget of guest linear memory (default 1 GiB; the
 *     server's default is a quarter of the JVM's heap): the memory of every instance, running or
 *     idle, counts against it. An instance that would take it beyond first makes room by releasing
 *     idle instances (least recently used first); when that is not enough the call is refused with
 *     {@code COMPONENT_MEMORY_BUSY}, so concurrent calls that grow their memory get a retriable
 *     error instead of filling the heap
 * @param maxLogBytesPerCall most bytes of guest log lines ({@code evidentsource.log}) written to
 *     the server log per call (default 64 KiB); the rest of the call's lines are dropped and
 *     counted
 * @param maxLogLinesPerSecond most guest log lines written per second per component version
 *     (default 100, with bursts of as many); the rest are dropped and counted, with one warning
 *     when a version first drops lines
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
    int warmUpCalls,
    Duration poolIdleTimeout,
    long maxTotalMemoryBytes,
    int maxLogBytesPerCall,
    int maxLogLinesPerSecond) {
  /** The size of one WebAssembly memory page. */
  public static final int PAGE_BYTES = 65536;

  /** Default of {@link #poolIdleTimeout()}. */
  public static final Duration DEFAULT_POOL_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** Default of {@link #maxTotalMemoryBytes()}: 1 GiB. */
  public static final long DEFAULT_MAX_TOTAL_MEMORY_BYTES = 1L << 30;

  /** Default of {@link #maxLogBytesPerCall()}: 64 KiB. */
  public static final int DEFAULT_MAX_LOG_BYTES_PER_CALL = 64 << 10;

  /** Default of {@link #maxLogLinesPerSecond()}. */
  public static final int DEFAULT_MAX_LOG_LINES_PER_SECOND = 100;

  /** The limits of the first eleven fields, with the defaults for pooling, memory and logging. */
  public WasmLimits(
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
    this(
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
        warmUpCalls,
        DEFAULT_POOL_IDLE_TIMEOUT,
        DEFAULT_MAX_TOTAL_MEMORY_BYTES,
        DEFAULT_MAX_LOG_BYTES_PER_CALL,
        DEFAULT_MAX_LOG_LINES_PER_SECOND);
  }

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
    Objects.requireNonNull(poolIdleTimeout, "poolIdleTimeout");
    if (poolIdleTimeout.isNegative() || poolIdleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "poolIdleTimeout must be positive, was " + poolIdleTimeout);
    }
    if (maxTotalMemoryBytes < PAGE_BYTES) {
      throw new IllegalArgumentException(
          "maxTotalMemoryBytes must be >= 65536, was " + maxTotalMemoryBytes);
    }
    if (maxLogBytesPerCall < 0) {
      throw new IllegalArgumentException(
          "maxLogBytesPerCall must be >= 0, was " + maxLogBytesPerCall);
    }
    if (maxLogLinesPerSecond < 0) {
      throw new IllegalArgumentException(
          "maxLogLinesPerSecond must be >= 0, was " + maxLogLinesPerSecond);
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

  /** The server-wide memory budget in pages. */
  public long maxTotalMemoryPages() {
    return maxTotalMemoryBytes / PAGE_BYTES;
  }

  /** These limits with the pooling, memory budget and logging limits given. */
  public WasmLimits withResources(
      Duration poolIdleTimeout,
      long maxTotalMemoryBytes,
      int maxLogBytesPerCall,
      int maxLogLinesPerSecond) {
    return with(
        b -> {
          b.poolIdleTimeout = poolIdleTimeout;
          b.maxTotalMemoryBytes = maxTotalMemoryBytes;
          b.maxLogBytesPerCall = maxLogBytesPerCall;
          b.maxLogLinesPerSecond = maxLogLinesPerSecond;
        });
  }

  public WasmLimits withPoolIdleTimeout(Duration timeout) {
    return with(b -> b.poolIdleTimeout = timeout);
  }

  public WasmLimits withMaxTotalMemoryBytes(long bytes) {
    return with(b -> b.maxTotalMemoryBytes = bytes);
  }

  public WasmLimits withLogLimits(int bytesPerCall, int linesPerSecond) {
    return with(
        b -> {
          b.maxLogBytesPerCall = bytesPerCall;
          b.maxLogLinesPerSecond = linesPerSecond;
        });
  }

  public WasmLimits withCallTimeout(Duration timeout) {
    return with(b -> b.callTimeout = timeout);
  }

  public WasmLimits withMaxMemoryBytes(long bytes) {
    return with(b -> b.maxMemoryBytes = bytes);
  }

  public WasmLimits withMaxOutputBytes(int bytes) {
    return with(b -> b.maxOutputBytes = bytes);
  }

  public WasmLimits withMaxModuleBytes(int bytes) {
    return with(b -> b.maxModuleBytes = bytes);
  }

  public WasmLimits withEvolveBatchEvents(int events) {
    return with(b -> b.evolveBatchEvents = events);
  }

  public WasmLimits withEvolveBatchBytes(int bytes) {
    return with(b -> b.evolveBatchBytes = bytes);
  }

  public WasmLimits withCompile(boolean compile) {
    return with(b -> b.compile = compile);
  }

  public WasmLimits withWarmUpTimeout(Duration timeout) {
    return with(b -> b.warmUpTimeout = timeout);
  }

  public WasmLimits withWarmUpCalls(int calls) {
    return with(b -> b.warmUpCalls = calls);
  }

  /** A copy of these limits with {@code change} applied, checked by the canonical constructor. */
  private WasmLimits with(Consumer<Copy> change) {
    var copy = new Copy(this);
    change.accept(copy);
    return copy.limits();
  }

  /** The fields of a {@link WasmLimits} being copied with some of them changed. */
  private static final class Copy {
    int maxModuleBytes;
    long maxMemoryBytes;
    Duration callTimeout;
    int maxOutputBytes;
    int evolveBatchEvents;
    int evolveBatchBytes;
    int maxViewReads;
    int poolSize;
    boolean compile;
    Duration warmUpTimeout;
    int warmUpCalls;
    Duration poolIdleTimeout;
    long maxTotalMemoryBytes;
    int maxLogBytesPerCall;
    int maxLogLinesPerSecond;

    Copy(WasmLimits from) {
      maxModuleBytes = from.maxModuleBytes;
      maxMemoryBytes = from.maxMemoryBytes;
      callTimeout = from.callTimeout;
      maxOutputBytes = from.maxOutputBytes;
      evolveBatchEvents = from.evolveBatchEvents;
      evolveBatchBytes = from.evolveBatchBytes;
      maxViewReads = from.maxViewReads;
      poolSize = from.poolSize;
      compile = from.compile;
      warmUpTimeout = from.warmUpTimeout;
      warmUpCalls = from.warmUpCalls;
      poolIdleTimeout = from.poolIdleTimeout;
      maxTotalMemoryBytes = from.maxTotalMemoryBytes;
      maxLogBytesPerCall = from.maxLogBytesPerCall;
      maxLogLinesPerSecond = from.maxLogLinesPerSecond;
    }

    WasmLimits limits() {
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
          warmUpCalls,
          poolIdleTimeout,
          maxTotalMemoryBytes,
          maxLogBytesPerCall,
          maxLogLinesPerSecond);
    }
  }
}
