package io.evidentsource.server.config;

import io.evidentsource.wasm.WasmLimits;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Sandbox limits of WebAssembly components, bound from {@code evidentsource.wasm.*}
 * (docs/limits.md#webassembly-components).
 *
 * @param maxModuleBytes largest module accepted at publish; larger ones are refused with 413 {@code
 *     component_too_large}
 * @param maxMemoryBytes largest linear memory a guest may grow to; growing beyond it fails inside
 *     the guest
 * @param callTimeout deadline of one guest call ({@code evolve} batch or {@code decide}); a guest
 *     still running is interrupted and the request fails with 504 {@code component_timeout}.
 *     One-time work does not count against it: loading, compiling, instantiating or warming up a
 *     module the call waits for, and the JVM's JIT compilation while the call runs (the deadline
 *     moves out by as much, up to {@code warm-up-timeout})
 * @param maxOutputBytes largest state or decision a guest may return; more fails with 500 {@code
 *     component_limit_exceeded}
 * @param evolveBatchEvents most events handed to one {@code evolve} call
 * @param evolveBatchBytes most JSON bytes of events handed to one {@code evolve} call
 * @param maxViewReads most {@code view_state} calls one {@code decide} may make
 * @param poolSize most idle instances kept per component version
 * @param compile compile modules to JVM bytecode (true) or interpret them (false)
 * @param warmUpTimeout budget of a module's one-time work on this server: instantiating a guest,
 *     the warm-up calls when the module is loaded (together; a warm-up that runs out of it stops
 *     early and the module is loaded all the same), and the most a call's deadline moves out for
 *     JIT compilation
 * @param warmUpCalls warm-up calls of a compiled module's entry point, on synthetic input and a
 *     throwaway instance, when it is published or first loaded on this server, so the JVM compiles
 *     its code before the first real call (docs/wasm-abi.md, "Warm-up"); 0 turns warm-up off
 * @param cacheEntries most state-view folds kept in the fold cache (per view, version and
 *     parameters); 0 disables the cache
 * @param foldCacheBytes byte budget of the fold cache: the cached states' lengths plus an estimate
 *     of 320 bytes per fold; least recently used folds are dropped to stay within it and a state
 *     larger than the whole budget is not cached (ADR 0005); 0 disables the cache
 * @param poolIdleTimeout how long an instance may sit idle in its pool before it is released, so
 *     the pool of a version whose calls stopped shrinks to nothing (the next call instantiates
 *     anew)
 * @param maxTotalMemoryBytes the server-wide budget of guest linear memory, running and idle
 *     instances together; unset: a quarter of the JVM's maximum heap. Idle instances are released
 *     to make room first; a call that still does not fit is refused with 503 {@code
 *     component_memory_busy} (with {@code Retry-After}) / RESOURCE_EXHAUSTED naming this property
 * @param maxLogBytesPerCall most bytes of guest log lines ({@code evidentsource.log}) written to
 *     the server log per guest call; the call's further lines are dropped and counted
 * @param maxLogLinesPerSecond most guest log lines written per second per component version; the
 *     rest are dropped and counted, with one warning per version
 */
@ConfigurationProperties("evidentsource.wasm")
public record WasmProperties(
    @DefaultValue("16MB") DataSize maxModuleBytes,
    @DefaultValue("100MB") DataSize maxMemoryBytes,
    @DefaultValue("5s") Duration callTimeout,
    @DefaultValue("16MB") DataSize maxOutputBytes,
    @DefaultValue("1000") int evolveBatchEvents,
    @DefaultValue("1MB") DataSize evolveBatchBytes,
    @DefaultValue("64") int maxViewReads,
    @DefaultValue("8") int poolSize,
    @DefaultValue("true") boolean compile,
    @DefaultValue("30s") Duration warmUpTimeout,
    @DefaultValue("3") int warmUpCalls,
    @DefaultValue("10000") int cacheEntries,
    @DefaultValue("64MB") DataSize foldCacheBytes,
    @DefaultValue("60s") Duration poolIdleTimeout,
    @Nullable DataSize maxTotalMemoryBytes,
    @DefaultValue("64KB") DataSize maxLogBytesPerCall,
    @DefaultValue("100") int maxLogLinesPerSecond) {

  public WasmProperties {
    if (warmUpTimeout.isNegative() || warmUpTimeout.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.wasm.warm-up-timeout must be positive, was " + warmUpTimeout);
    }
    if (warmUpCalls < 0) {
      throw new IllegalArgumentException(
          "evidentsource.wasm.warm-up-calls must be >= 0, was " + warmUpCalls);
    }
    if (cacheEntries < 0) {
      throw new IllegalArgumentException(
          "evidentsource.wasm.cache-entries must be >= 0, was " + cacheEntries);
    }
    if (maxTotalMemoryBytes != null && maxTotalMemoryBytes.toBytes() < WasmLimits.PAGE_BYTES) {
      throw new IllegalArgumentException(
          "evidentsource.wasm.max-total-memory-bytes must be at least 64KB, was "
              + maxTotalMemoryBytes);
    }
    if (maxLogBytesPerCall.isNegative()) {
      throw new IllegalArgumentException(
          "evidentsource.wasm.max-log-bytes-per-call must be >= 0, was " + maxLogBytesPerCall);
    }
    if (maxLogLinesPerSecond < 0) {
      throw new IllegalArgumentException(
          "evidentsource.wasm.max-log-lines-per-second must be >= 0, was " + maxLogLinesPerSecond);
    }
    if (poolIdleTimeout.isNegative() || poolIdleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.wasm.pool-idle-timeout must be positive, was " + poolIdleTimeout);
    }
    if (foldCacheBytes.isNegative()) {
      throw new IllegalArgumentException(
          "evidentsource.wasm.fold-cache-bytes must be >= 0, was " + foldCacheBytes);
    }
  }

  /** The runtime limits; invalid values fail at startup naming the field. */
  WasmLimits limits() {
    return new WasmLimits(
            (int) Math.min(Integer.MAX_VALUE, maxModuleBytes.toBytes()),
            maxMemoryBytes.toBytes(),
            callTimeout,
            (int) Math.min(Integer.MAX_VALUE, maxOutputBytes.toBytes()),
            evolveBatchEvents,
            (int) Math.min(Integer.MAX_VALUE, evolveBatchBytes.toBytes()),
            maxViewReads,
            poolSize,
            compile,
            warmUpTimeout,
            warmUpCalls)
        .withResources(
            poolIdleTimeout,
            totalMemoryBytes(),
            (int) Math.min(Integer.MAX_VALUE, maxLogBytesPerCall.toBytes()),
            maxLogLinesPerSecond);
  }

  /** The memory budget in bytes: as configured, or a quarter of the JVM's maximum heap. */
  public long totalMemoryBytes() {
    if (maxTotalMemoryBytes != null) {
      return maxTotalMemoryBytes.toBytes();
    }
    return Math.max(WasmLimits.PAGE_BYTES, Runtime.getRuntime().maxMemory() / 4);
  }
}
