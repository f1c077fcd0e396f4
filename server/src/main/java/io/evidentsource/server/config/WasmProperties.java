package io.evidentsource.server.config;

import io.evidentsource.wasm.WasmLimits;
import java.time.Duration;
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
    @DefaultValue("60s") Duration poolIdleTimeout) {

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
        .withPoolIdleTimeout(poolIdleTimeout);
  }
}
