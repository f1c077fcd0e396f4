package io.evidentsource.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentRuntime;
import io.evidentsource.core.component.DecideMetadata;
import io.evidentsource.core.component.DecideResult;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.json.StateViewJson;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ComponentRuntime} on Chicory (docs/wasm-abi.md, ADR 0005). Modules are parsed and
 * checked once, compiled to JVM bytecode once (interpreted when the compiler cannot handle them),
 * and instantiated into a pool per component version. Each call runs on the caller's thread under a
 * deadline enforced by interrupting it; an instance that failed is discarded, never reused. Guests
 * see only the {@code evidentsource} host functions and a WASI preview1 without files, sockets,
 * arguments or environment, whose clock reads the call's basis time and whose random numbers are
 * seeded from it.
 */
public final class ChicoryComponentRuntime implements ComponentRuntime, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.evidentsource.wasm.guest");
  private static final Set<String> WASI_FUNCTIONS = wasiFunctionNames();

  private final WasmLimits limits;
  private final Map<ComponentId, Loaded> modules = new ConcurrentHashMap<>();

  /**
   * Modules validated by a publish that has not loaded them yet, by SHA-256; a publish that fails
   * between validate and load leaves its entry, so only the latest few are kept.
   */
  private final Map<String, Loaded> prepared =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Loaded> eldest) {
              if (size() > PREPARED_KEPT) {
                release(eldest.getValue());
                return true;
              }
              return false;
            }
          });

  private static final int PREPARED_KEPT = 16;
  private final ScheduledExecutorService watchdog;
  private final Deadlines deadlines;
  private final Function<WasmModule, Function<Instance, Machine>> compiler;
  private final LongSupplier nanoTime;
  private final MemoryBudget memoryBudget;

  /** The periodic {@link #releaseIdle()}, cancelled by {@link #close()}. */
  private final ScheduledFuture<?> idleSweep;

  /** A parsed, checked and compiled module with its idle instances. */
  private static final class Loaded {
    final ComponentKind<?> kind;
    final WasmModule module;
    final @Nullable Function<Instance, Machine> machines;
    final ConcurrentLinkedDeque<Guest> idle = new ConcurrentLinkedDeque<>();
    final AtomicInteger created = new AtomicInteger();
    final AtomicInteger warmUpCalls = new AtomicInteger();
    volatile String name = "(unpublished)";

    /** Set once the module is unloaded: its guests are dropped, never pooled again. */
    volatile boolean released;

    /** Guest log lines dropped by the log limits. */
    final AtomicLong droppedLogLines = new AtomicLong();

    /** Whether the warning about dropped log lines was written. */
    final AtomicBoolean logWarned = new AtomicBoolean();

    // token bucket of log lines per second, guarded by this
    private double logTokens = -1;
    private long logRefilled;

    /** Takes one log line of the rate; false when the version used up its lines per second. */
    synchronized boolean takeLogLine(long now, int perSecond) {
      if (logTokens < 0) {
        logTokens = perSecond;
        logRefilled = now;
      }
      double refill = (now - logRefilled) / 1e9 * perSecond;
      if (refill > 0) {
        logTokens = Math.min(perSecond, logTokens + refill);
        logRefilled = now;
      }
      if (logTokens < 1) {
        return false;
      }
      logTokens -= 1;
      return true;
    }

    Loaded(
        ComponentKind<?> kind, WasmModule module, @Nullable Function<Instance, Machine> machines) {
      this.kind = kind;
      this.module = module;
      this.machines = machines;
    }
  }

  /**
   * @param limits the sandbox limits
   */
  public ChicoryComponentRuntime(WasmLimits limits) {
    this(limits, MachineFactoryCompiler::compile);
  }

  /**
   * @param limits the sandbox limits
   * @param compiler turns a module into a machine factory; when it throws, the module is
   *     interpreted (tests provoke that fallback with a compiler that fails)
   */
  ChicoryComponentRuntime(
      WasmLimits limits, Function<WasmModule, Function<Instance, Machine>> compiler) {
    this(limits, compiler, jitMillis());
  }

  /**
   * @param limits the sandbox limits
   * @param compiler turns a module into a machine factory; when it throws, the module is
   *     interpreted
   * @param jitMillis the JVM's total JIT compilation time in milliseconds, ever growing; calls'
   *     deadlines move out by what it grows while they run (tests give a clock of their own)
   */
  ChicoryComponentRuntime(
      WasmLimits limits,
      Function<WasmModule, Function<Instance, Machine>> compiler,
      LongSupplier jitMillis) {
    this(limits, compiler, jitMillis, System::nanoTime);
  }

  /**
   * @param limits the sandbox limits
   * @param compiler turns a module into a machine factory; when it throws, the module is
   *     interpreted
   * @param jitMillis the JVM's total JIT compilation time in milliseconds, ever growing
   * @param nanoTime the monotonic clock of idle timeouts and log rates, in nanoseconds ({@link
   *     System#nanoTime()}; tests give a clock of their own and call {@link #releaseIdle()})
   */
  ChicoryComponentRuntime(
      WasmLimits limits,
      Function<WasmModule, Function<Instance, Machine>> compiler,
      LongSupplier jitMillis,
      LongSupplier nanoTime) {
    this.limits = limits;
    this.compiler = compiler;
    this.nanoTime = nanoTime;
    this.memoryBudget = new MemoryBudget(limits.maxTotalMemoryPages());
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              var t = new Thread(r, "wasm-deadline");
              t.setDaemon(true);
              return t;
            });
    this.deadlines = new Deadlines(watchdog, jitMillis);
    long sweepMillis = Math.max(1000, Math.min(30_000, limits.poolIdleTimeout().toMillis() / 2));
    this.idleSweep =
        watchdog.scheduleWithFixedDelay(
            this::releaseIdleQuietly, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * The JVM's JIT compilation time ({@link CompilationMXBean#getTotalCompilationTime}), or a
   * constant 0 where the JVM does not measure it (then deadlines are never extended).
   */
  private static LongSupplier jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit::getTotalCompilationTime
        : () -> 0;
  }

  /** The limits in force. */
  public WasmLimits limits() {
    return limits;
  }

  @Override
  public int evolveBatchSize() {
    return limits.evolveBatchEvents();
  }

  /**
   * Parses, checks, compiles, instantiates and warms up a module (see {@link #load}); keeps the
   * result for the {@link #load} of the same bytes that follows a publish.
   */
  @Override
  public void validate(ComponentKind<?> kind, byte[] module) {
    var previous = prepared.put(digest(module), prepare(kind, module));
    if (previous != null) {
      release(previous); // the same bytes validated again: keep one, give back the other's memory
    }
  }

  /**
   * Loads a published module under {@code id}: parsed, checked against the ABI, compiled to JVM
   * bytecode, instantiated once (link errors surface here) and, when compiled, warmed up with
   * {@link WasmLimits#warmUpCalls()} calls of its entry point on synthetic input, on a throwaway
   * instance, so the JVM compiles the guest's code before its first real call (docs/wasm-abi.md,
   * "Warm-up"). None of this counts against the deadline of a call that waits for it on this thread
   * (a {@code decide} reading a view this server has not loaded yet). Loading a component of a
   * newer generation of a database drops the modules (and idle instances) of its earlier
   * generations: a deleted database's components are never called again
   * (docs/data-model.md#databases, ADR 0007).
   */
  @Override
  public void load(ComponentId id, byte[] module) {
    unloadWhere(k -> k.database().equals(id.database()) && k.generation() < id.generation());
    deadlines.excluded(
        () ->
            modules.computeIfAbsent(
                id,
                k -> {
                  var ready = prepared.remove(digest(module));
                  if (ready != null && ready.kind != id.kind()) {
                    release(ready);
                    ready = null;
                  }
                  var loaded = ready != null ? ready : prepare(id.kind(), module);
                  loaded.name = id.toString();
                  return loaded;
                }));
  }

  @Override
  public boolean isLoaded(ComponentId id) {
    return modules.containsKey(id);
  }

  /**
   * Drops the modules of every generation of {@code database} with their idle instances; calls
   * running now finish and drop their instance afterwards.
   */
  @Override
  public void unload(DatabaseName database) {
    unloadWhere(k -> k.database().equals(database));
  }

  private void unloadWhere(Predicate<ComponentId> which) {
    for (var it = modules.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (which.test(entry.getKey())) {
        it.remove();
        release(entry.getValue());
      }
    }
  }

  /** Marks a module released and drops its idle instances. */
  private void release(Loaded loaded) {
    loaded.released = true;
    for (Guest guest; (guest = loaded.idle.poll()) != null; ) {
      discard(guest);
    }
  }

  /** Lets go of one instance for good: its memory goes back to the budget. */
  private void discard(Guest guest) {
    var memory = guest.memory;
    if (memory != null) {
      memory.release();
      guest.memory = null;
    }
    guest.instance = null;
    guest.alloc = null;
    guest.entry = null;
  }

  /**
   * Pools a guest whose call went well, unless the pool is full or its module was unloaded
   * meanwhile; the guest is dropped then.
   */
  private void pool(Loaded loaded, Guest guest) {
    if (loaded.released || loaded.idle.size() >= limits.poolSize()) {
      discard(guest);
      return;
    }
    guest.idleSince = nanoTime.getAsLong();
    loaded.idle.push(guest);
    if (loaded.released && loaded.idle.remove(guest)) {
      discard(guest); // unloaded while it was being pooled
    }
  }

  /**
   * Releases the instances that sat idle in their pool for {@link WasmLimits#poolIdleTimeout()} or
   * longer (oldest first), so the pool of a version whose calls stopped shrinks to nothing; the
   * next call instantiates anew. Runs periodically; tests call it with a clock of their own.
   *
   * @return how many instances were released
   */
  int releaseIdle() {
    long now = nanoTime.getAsLong();
    long timeout = limits.poolIdleTimeout().toNanos();
    int released = 0;
    var all = new ArrayList<Loaded>(modules.values());
    synchronized (prepared) {
      all.addAll(prepared.values());
    }
    for (var loaded : all) {
      for (Guest oldest; (oldest = loaded.idle.peekLast()) != null; ) {
        if (now - oldest.idleSince < timeout) {
          break;
        }
        if (loaded.idle.removeLastOccurrence(oldest)) {
          discard(oldest);
          released++;
        }
      }
    }
    return released;
  }

  /**
   * Takes {@code pages} of the server-wide memory budget for an instance of {@code loaded}, first
   * releasing idle instances (least recently used first, of any version) when the budget is short.
   *
   * @throws EvidentSourceException {@code COMPONENT_MEMORY_BUSY} when running calls hold so much
   *     that even without idle instances the pages do not fit
   */
  private void reserve(Loaded loaded, int pages) {
    while (!memoryBudget.tryReserve(pages)) {
      if (!releaseLeastRecentlyUsedIdle()) {
        long limit = memoryBudget.maxPages() * WasmLimits.PAGE_BYTES;
        long held = memoryBudget.reservedPages() * WasmLimits.PAGE_BYTES;
        long wanted = (long) pages * WasmLimits.PAGE_BYTES;
        var fields = new LinkedHashMap<String, Object>();
        fields.put("limit", limit);
        fields.put("limit_name", "evidentsource.wasm.max-total-memory-bytes");
        fields.put("requested", wanted);
        fields.put("in_use", held);
        fields.put("component", loaded.name);
        throw new EvidentSourceException(
            ErrorCode.COMPONENT_MEMORY_BUSY,
            "component "
                + loaded.name
                + " needs "
                + wanted
                + " more bytes of linear memory, but running calls hold "
                + held
                + " of the server's "
                + limit
                + " bytes for WebAssembly guests (evidentsource.wasm.max-total-memory-bytes);"
                + " retry later",
            fields);
      }
    }
  }

  /** Releases the idle instance that was pooled longest ago, of any version; false if none. */
  private boolean releaseLeastRecentlyUsedIdle() {
    while (true) {
      Loaded oldestPool = null;
      Guest oldest = null;
      var all = new ArrayList<Loaded>(modules.values());
      synchronized (prepared) {
        all.addAll(prepared.values());
      }
      for (var loaded : all) {
        var candidate = loaded.idle.peekLast();
        if (candidate != null && (oldest == null || candidate.idleSince < oldest.idleSince)) {
          oldest = candidate;
          oldestPool = loaded;
        }
      }
      if (oldest == null || oldestPool == null) {
        return false;
      }
      if (oldestPool.idle.removeLastOccurrence(oldest)) {
        discard(oldest);
        return true;
      }
      // taken by a call meanwhile: look again
    }
  }

  /** Bytes of the server-wide memory budget that instances (running or idle) hold now. */
  public long memoryInUseBytes() {
    return memoryBudget.reservedPages() * WasmLimits.PAGE_BYTES;
  }

  /** Guest log lines of {@code id} dropped by the log limits so far (diagnostics). */
  public long droppedLogLines(ComponentId id) {
    return loaded(id).droppedLogLines.get();
  }

  private void releaseIdleQuietly() {
    try {
      releaseIdle();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "releasing idle WebAssembly instances failed", e);
    }
  }

  /** How many component versions this server has loaded (diagnostics). */
  public int loadedModules() {
    return modules.size();
  }

  /** How many idle instances all pools hold together (diagnostics). */
  public int idleInstancesTotal() {
    int n = 0;
    for (var loaded : modules.values()) {
      n += loaded.idle.size();
    }
    synchronized (prepared) {
      for (var loaded : prepared.values()) {
        n += loaded.idle.size();
      }
    }
    return n;
  }

  /** Whether {@code id} runs compiled (true) or interpreted (false). */
  public boolean isCompiled(ComponentId id) {
    return loaded(id).machines != null;
  }

  /**
   * How many warm-up calls of {@code id} ran to completion when it was loaded (diagnostics): {@link
   * WasmLimits#warmUpCalls()}, fewer when one failed or the warm-up ran out of time, 0 when it runs
   * interpreted.
   */
  public int warmUpCalls(ComponentId id) {
    return loaded(id).warmUpCalls.get();
  }

  /** How many instances were ever created for {@code id} (pool diagnostics). */
  public int instancesCreated(ComponentId id) {
    return loaded(id).created.get();
  }

  /**
   * The linear memory, in bytes, held by the idle instances of {@code id} (pool diagnostics; the
   * compiled classes and Chicory's per-instance structures come on top).
   */
  public long idleMemoryBytes(ComponentId id) {
    long bytes = 0;
    for (var guest : loaded(id).idle) {
      var instance = guest.instance;
      if (instance != null) {
        bytes += (long) instance.memory().pages() * WasmLimits.PAGE_BYTES;
      }
    }
    return bytes;
  }

  /** How many idle instances {@code id} has in its pool. */
  public int idleInstances(ComponentId id) {
    return loaded(id).idle.size();
  }

  private Loaded prepare(ComponentKind<?> kind, byte[] bytes) {
    return deadlines.excluded(() -> prepareNow(kind, bytes));
  }

  private Loaded prepareNow(ComponentKind<?> kind, byte[] bytes) {
    if (bytes.length > limits.maxModuleBytes()) {
      throw new EvidentSourceException(
          ErrorCode.COMPONENT_TOO_LARGE,
          "the module has "
              + bytes.length
              + " bytes, above the limit of "
              + limits.maxModuleBytes()
              + " bytes",
          Map.of("limit", limits.maxModuleBytes(), "actual", bytes.length));
    }
    if (bytes.length < 8
        || bytes[0] != 0
        || bytes[1] != 'a'
        || bytes[2] != 's'
        || bytes[3] != 'm') {
      var problem =
          "the module is not a WebAssembly binary: it does not start with the magic bytes \\0asm"
              + " (WebAssembly spec §5.5.16); publish the compiled .wasm, not its source or .wat"
              + " text";
      throw new EvidentSourceException(
          ErrorCode.INVALID_COMPONENT, problem, Map.of("problems", List.of(problem)));
    }
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (ChicoryException | IllegalArgumentException | IllegalStateException e) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_COMPONENT,
          "the module is not valid WebAssembly: " + e.getMessage(),
          Map.of("problems", List.of(String.valueOf(e.getMessage()))),
          e);
    }
    AbiCheck.check(module, kind, WASI_FUNCTIONS, limits.maxMemoryPages());
    Function<Instance, Machine> machines = null;
    if (limits.compile()) {
      try {
        machines = compiler.apply(module);
      } catch (RuntimeException | LinkageError e) {
        LOG.log(Level.WARNING, "module cannot be compiled, interpreting it: " + e);
      }
    }
    var loaded = new Loaded(kind, module, machines);
    // instantiate (and initialize) one guest now so link errors surface at publish
    var guest = instantiate(loaded, "publish");
    if (limits.warmUpCalls() > 0 && machines != null) {
      // only compiled code has JVM methods of its own to warm; interpreted, it is data
      warmUp(loaded, guest);
      // the warm-up guest saw synthetic input: real calls start from a fresh instance
      discard(guest);
      guest = instantiate(loaded, "load");
    }
    guest.idleSince = nanoTime.getAsLong();
    loaded.idle.push(guest);
    return loaded;
  }

  /**
   * Calls the module's entry point {@link WasmLimits#warmUpCalls()} times on {@link WarmUp}'s input
   * within {@link WasmLimits#warmUpTimeout()}, so the JVM loads, links and compiles the guest's
   * code before real calls count against their deadline. What the calls return is dropped; a call
   * that fails or runs out of time ends the warm-up (the guest may refuse synthetic input; a real
   * call fails on its own terms). The guest is used up.
   */
  private void warmUp(Loaded loaded, Guest guest) {
    long end = System.nanoTime() + limits.warmUpTimeout().toNanos();
    var entry =
        loaded.kind == ComponentKind.STATE_VIEW
            ? evolveCall(new byte[0], warmUpEvents(), GuestJson.params(Map.of()))
            : decideCall(
                GuestJson.command(WarmUp.command()), GuestJson.metadata(WarmUp.metadata()));
    var views = loaded.kind == ComponentKind.STATE_VIEW ? null : WarmUp.views();
    for (int i = 0; i < limits.warmUpCalls(); i++) {
      long left = end - System.nanoTime();
      try {
        if (left <= 0) {
          throw timeout(loaded, "warm-up", limits.warmUpTimeout());
        }
        invoke(
            loaded,
            guest,
            "warm-up",
            Duration.ofNanos(left),
            Duration.ZERO,
            WarmUp.basisTime(),
            views,
            entry);
        loaded.warmUpCalls.incrementAndGet();
      } catch (EvidentSourceException e) {
        if (e.code() == ErrorCode.COMPONENT_TIMEOUT) {
          LOG.log(
              Level.WARNING,
              "warm-up of "
                  + loaded.name
                  + " ran out of its "
                  + limits.warmUpTimeout().toMillis()
                  + " ms (evidentsource.wasm.warm-up-timeout) after "
                  + i
                  + " of "
                  + limits.warmUpCalls()
                  + " calls; it is loaded all the same");
        } else {
          LOG.log(Level.DEBUG, "warm-up of " + loaded.name + " stopped: " + e.getMessage());
        }
        return;
      }
    }
  }

  /** A full batch of warm-up events, cut by the batch limits as a real batch would be. */
  private EventBatchWriter warmUpEvents() {
    var writer = new EventBatchWriter(64 * 1024);
    writer.start();
    for (int i = 1; i <= limits.evolveBatchEvents(); i++) {
      int mark = writer.append(WarmUp.event(i));
      if (i > 1 && writer.length() + 1 > limits.evolveBatchBytes()) {
        writer.removeFrom(mark);
        break;
      }
    }
    writer.finish();
    return writer;
  }

  /**
   * A new guest of {@code loaded}, instantiated and initialized within {@link
   * WasmLimits#warmUpTimeout()}; never counted against the deadlines running on this thread.
   */
  private Guest instantiate(Loaded loaded, String purpose) {
    return deadlines.excluded(() -> instantiateNow(loaded, purpose));
  }

  private Guest instantiateNow(Loaded loaded, String purpose) {
    var clock = new FixedClock();
    var random = new Random(0);
    var guest = new Guest(clock, random);
    var wasi =
        WasiPreview1.builder()
            .withOptions(
                WasiOptions.builder()
                    .withClock(clock)
                    .withRandom(random)
                    .withStdout(OutputStream.nullOutputStream())
                    .withStderr(OutputStream.nullOutputStream())
                    .build())
            .build();
    var imports =
        ImportValues.builder()
            .addFunction(wasi.toHostFunctions())
            .addFunction(hostFunctions(guest, loaded))
            .build();
    int maxPages = limits.maxMemoryPages();
    int initialPages =
        loaded
            .module
            .memorySection()
            .map(m -> m.memoryCount() > 0 ? m.getMemory(0).limits().initialPages() : 0)
            .orElse(0);
    int declaredMax =
        loaded
            .module
            .memorySection()
            .map(m -> m.memoryCount() > 0 ? m.getMemory(0).limits().maximumPages() : maxPages)
            .orElse(maxPages);
    var builder =
        Instance.builder(loaded.module)
            .withImportValues(imports)
            .withMemoryLimits(new MemoryLimits(initialPages, Math.min(declaredMax, maxPages)))
            // linear memory on a byte[] (faster than on a ByteBuffer), counted against the budget
            .withMemoryFactory(
                memoryLimits -> {
                  var memory =
                      new GuestMemory(memoryLimits, memoryBudget, pages -> reserve(loaded, pages));
                  guest.memory = memory;
                  return memory;
                })
            .withStart(false);
    if (loaded.machines != null) {
      builder.withMachineFactory(loaded.machines);
    }
    guest.clock.set(Instant.EPOCH);
    try {
      Instance instance =
          guarded(
              loaded,
              "instantiation",
              limits.warmUpTimeout(),
              Duration.ZERO,
              () -> {
                var i = builder.build();
                if (hasExport(loaded.module, "_initialize")) {
                  i.export("_initialize").apply();
                }
                return i;
              },
              guest);
      guest.instance = instance;
      guest.alloc = instance.export("evidentsource_alloc");
      guest.entry = instance.export(loaded.kind.entryPoint());
      loaded.created.incrementAndGet();
      return guest;
    } catch (EvidentSourceException e) {
      discard(guest); // gives back the memory of an instance that never came to be
      if ("publish".equals(purpose) && e.code() == ErrorCode.COMPONENT_FAILED) {
        throw new EvidentSourceException(
            ErrorCode.INVALID_COMPONENT,
            "the module cannot be instantiated: " + e.getMessage(),
            Map.of("problems", List.of(String.valueOf(e.getMessage()))),
            e);
      }
      throw e;
    } catch (RuntimeException e) {
      discard(guest);
      throw e;
    }
  }

  private static boolean hasExport(WasmModule module, String name) {
    var exports = module.exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      if (exports.getExport(i).name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private HostFunction[] hostFunctions(Guest guest, Loaded loaded) {
    var viewState =
        new HostFunction(
            AbiCheck.HOST_MODULE,
            "view_state",
            AbiCheck.HOST_IMPORTS.get("view_state"),
            (instance, args) -> new long[] {viewState(guest, loaded, instance, args)});
    var error =
        new HostFunction(
            AbiCheck.HOST_MODULE,
            "error",
            AbiCheck.HOST_IMPORTS.get("error"),
            (instance, args) -> {
              guest.errorMessage = readString(instance, args[0], args[1], 64 * 1024);
              return null;
            });
    var log =
        new HostFunction(
            AbiCheck.HOST_MODULE,
            "log",
            AbiCheck.HOST_IMPORTS.get("log"),
            (instance, args) -> {
              var level =
                  switch ((int) args[0]) {
                    case 0 -> Level.TRACE;
                    case 1 -> Level.DEBUG;
                    case 2 -> Level.INFO;
                    case 3 -> Level.WARNING;
                    default -> Level.ERROR;
                  };
              if (LOG.isLoggable(level)) {
                log(guest, loaded, level, instance, args[1], args[2]);
              }
              return null;
            });
    var abort =
        new HostFunction(
            "env",
            "abort",
            AbiCheck.ABORT,
            (instance, args) -> {
              var message = assemblyScriptString(instance, (int) args[0]);
              var file = assemblyScriptString(instance, (int) args[1]);
              guest.errorMessage =
                  "abort: " + message + " at " + file + ":" + args[2] + ":" + args[3];
              throw new GuestError(guest.errorMessage);
            });
    return new HostFunction[] {viewState, error, log, abort};
  }

  /**
   * Writes one guest log line, within {@link WasmLimits#maxLogBytesPerCall()} per call and {@link
   * WasmLimits#maxLogLinesPerSecond()} per component version; a line beyond either is dropped
   * (never read from guest memory) and counted, and the first drop of a version is reported once.
   */
  private void log(Guest guest, Loaded loaded, Level level, Instance instance, long ptr, long len) {
    if (len < 0 || len > 8192) {
      throw new GuestError("a host call passed length " + len + " (at most 8192)");
    }
    if (guest.logBytes + len > limits.maxLogBytesPerCall()
        || !loaded.takeLogLine(nanoTime.getAsLong(), limits.maxLogLinesPerSecond())) {
      loaded.droppedLogLines.incrementAndGet();
      if (loaded.logWarned.compareAndSet(false, true)) {
        LOG.log(
            Level.WARNING,
            "component "
                + loaded.name
                + " logs more than "
                + limits.maxLogBytesPerCall()
                + " bytes in one call or "
                + limits.maxLogLinesPerSecond()
                + " lines per second (evidentsource.wasm.max-log-bytes-per-call,"
                + " .max-log-lines-per-second); its further lines beyond them are dropped and"
                + " counted, without another warning");
      }
      return;
    }
    guest.logBytes += len;
    LOG.log(level, loaded.name + ": " + readString(instance, ptr, len, 8192));
  }

  /** A failure the host raises inside a guest call on the guest's behalf. */
  private static final class GuestError extends RuntimeException {
    GuestError(String message) {
      super(message, null, false, false);
    }
  }

  private long viewState(Guest guest, Loaded loaded, Instance instance, long[] args) {
    var views = guest.views;
    if (views == null) {
      throw new GuestError(
          "view_state is only available to a state change's decide, not to "
              + loaded.kind.label()
              + " "
              + loaded.name);
    }
    if (++guest.viewReads > limits.maxViewReads()) {
      throw new EvidentSourceException(
          ErrorCode.COMPONENT_LIMIT_EXCEEDED,
          "component "
              + loaded.name
              + " called view_state more than "
              + limits.maxViewReads()
              + " times in one decide",
          Map.of("limit", limits.maxViewReads(), "component", loaded.name));
    }
    var name = readString(instance, args[0], args[1], 1024);
    var params = GuestJson.readParams(readBytes(instance, args[2], args[3], 1 << 20));
    var result = views.read(name, params);
    if (!result.hasState()) {
      return 0;
    }
    return write(guest, StateViewJson.toJsonBytes(result));
  }

  private static String readString(Instance instance, long ptr, long len, int max) {
    return new String(readBytes(instance, ptr, len, max), StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(Instance instance, long ptr, long len, int max) {
    if (len < 0 || len > max) {
      throw new GuestError("a host call passed length " + len + " (at most " + max + ")");
    }
    return instance.memory().readBytes((int) ptr, (int) len);
  }

  private static String assemblyScriptString(Instance instance, int ptr) {
    if (ptr <= 4) {
      return "";
    }
    try {
      int byteLength = instance.memory().readInt(ptr - 4);
      if (byteLength < 0 || byteLength > 8192) {
        return "";
      }
      return new String(instance.memory().readBytes(ptr, byteLength), StandardCharsets.UTF_16LE);
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** Copies bytes into guest memory obtained from {@code evidentsource_alloc}; packs ptr/len. */
  private static long write(Guest guest, byte[] bytes) {
    return write(guest, bytes, bytes.length);
  }

  /** Copies the first {@code length} bytes into guest memory; packs ptr/len. */
  private static long write(Guest guest, byte[] bytes, int length) {
    if (length == 0) {
      return 0;
    }
    var instance = java.util.Objects.requireNonNull(guest.instance);
    long ptr = java.util.Objects.requireNonNull(guest.alloc).apply(length)[0];
    long size = (long) instance.memory().pages() * WasmLimits.PAGE_BYTES;
    if (ptr <= 0 || ptr + length > size) {
      throw new GuestError(
          "evidentsource_alloc("
              + length
              + ") returned "
              + ptr
              + ", outside the guest's memory of "
              + size
              + " bytes");
    }
    instance.memory().write((int) ptr, bytes, 0, length);
    return (ptr << 32) | length;
  }

  @Override
  public byte[] evolve(
      ComponentId id,
      byte[] state,
      List<StoredEvent> events,
      Map<String, String> params,
      Instant basisTime) {
    var loaded = loaded(id);
    if (loaded.kind != ComponentKind.STATE_VIEW) {
      throw new IllegalArgumentException(id + " is not a state view");
    }
    var paramsJson = GuestJson.params(params);
    byte[] current = state;
    var writer = new EventBatchWriter(Math.min(limits.evolveBatchBytes(), 64 * 1024));
    int from = 0;
    while (from < events.size()) {
      writer.start();
      int to = from;
      while (to < events.size() && to - from < limits.evolveBatchEvents()) {
        int mark = writer.append(events.get(to));
        if (to > from && writer.length() + 1 > limits.evolveBatchBytes()) {
          writer.removeFrom(mark); // it opens the next batch
          break;
        }
        to++;
      }
      writer.finish();
      var batchTime = events.get(to - 1).recordedTime();
      current = call(loaded, batchTime, null, evolveCall(current, writer, paramsJson));
      from = to;
    }
    if (events.isEmpty()) {
      return state.clone();
    }
    return current;
  }

  @Override
  public DecideResult decide(
      ComponentId id, Command command, DecideMetadata metadata, ViewReader views) {
    var loaded = loaded(id);
    if (loaded.kind != ComponentKind.STATE_CHANGE) {
      throw new IllegalArgumentException(id + " is not a state change");
    }
    var commandJson = GuestJson.command(command);
    var metadataJson = GuestJson.metadata(metadata);
    var output = call(loaded, metadata.basisTime(), views, decideCall(commandJson, metadataJson));
    return GuestJson.decision(output, id.toString());
  }

  /** {@code evidentsource_evolve(state, events, params)} with the events the writer holds. */
  private static GuestCall evolveCall(byte[] state, EventBatchWriter events, byte[] paramsJson) {
    return guest -> {
      long s = write(guest, state, state.length);
      long e = write(guest, events.buffer(), events.length());
      long p = write(guest, paramsJson, paramsJson.length);
      long[] out =
          entry(guest)
              .apply(
                  s >>> 32, s & 0xffffffffL, e >>> 32, e & 0xffffffffL, p >>> 32, p & 0xffffffffL);
      return out[0];
    };
  }

  /** {@code evidentsource_decide(command, metadata)}. */
  private static GuestCall decideCall(byte[] commandJson, byte[] metadataJson) {
    return guest -> {
      long c = write(guest, commandJson);
      long m = write(guest, metadataJson);
      return entry(guest).apply(c >>> 32, c & 0xffffffffL, m >>> 32, m & 0xffffffffL)[0];
    };
  }

  private static ExportFunction entry(Guest guest) {
    return java.util.Objects.requireNonNull(guest.entry);
  }

  /** One call of a guest's entry point: the packed {@code (ptr << 32) | len} of its output. */
  @FunctionalInterface
  private interface GuestCall {
    long run(Guest guest);
  }

  /**
   * A guest call on a pooled instance (a new one when the pool is empty: instantiating it does not
   * count against the call's deadline), under {@link WasmLimits#callTimeout()} extended by the JIT
   * compilation that happens meanwhile (up to {@link WasmLimits#warmUpTimeout()}). A guest whose
   * call failed is dropped, never reused.
   */
  private byte[] call(
      Loaded loaded, Instant basisTime, @Nullable ViewReader views, GuestCall body) {
    var guest = loaded.idle.poll();
    if (guest == null) {
      guest = instantiate(loaded, "call");
    }
    boolean healthy = false;
    try {
      var output =
          invoke(
              loaded,
              guest,
              "call",
              limits.callTimeout(),
              limits.warmUpTimeout(),
              basisTime,
              views,
              body);
      healthy = true;
      return output;
    } finally {
      if (healthy) {
        pool(loaded, guest);
      } else {
        discard(guest);
      }
    }
  }

  /**
   * Runs one call of {@code guest} within {@code limit} (extended by JIT compilation up to {@code
   * jitAllowance}): sets its clock and random seed from the basis time, checks and copies out its
   * output.
   */
  private byte[] invoke(
      Loaded loaded,
      Guest guest,
      String what,
      Duration limit,
      Duration jitAllowance,
      Instant basisTime,
      @Nullable ViewReader views,
      GuestCall body) {
    guest.resetCall();
    guest.views = views;
    guest.clock.set(basisTime);
    guest.random.setSeed(basisTime.getEpochSecond() * 1_000_000_007L + basisTime.getNano());
    try {
      return guarded(
          loaded,
          what,
          limit,
          jitAllowance,
          () -> {
            long result = body.run(guest);
            if (result < 0) {
              throw failure(
                  loaded,
                  guest.errorMessage != null
                      ? guest.errorMessage
                      : "the component returned " + result + " without calling error()");
            }
            int ptr = (int) (result >>> 32);
            int len = (int) (result & 0xffffffffL);
            if (len > limits.maxOutputBytes()) {
              throw new EvidentSourceException(
                  ErrorCode.COMPONENT_LIMIT_EXCEEDED,
                  "component "
                      + loaded.name
                      + " returned "
                      + Integer.toUnsignedString(len)
                      + " bytes, above the output limit of "
                      + limits.maxOutputBytes(),
                  Map.of(
                      "limit", limits.maxOutputBytes(),
                      "actual", Integer.toUnsignedLong(len),
                      "component", loaded.name));
            }
            var memory = java.util.Objects.requireNonNull(guest.instance).memory();
            long size = (long) memory.pages() * WasmLimits.PAGE_BYTES;
            if (len > 0 && (ptr < 0 || (long) ptr + len > size)) {
              throw failure(
                  loaded,
                  "the output ("
                      + ptr
                      + ", "
                      + len
                      + ") lies outside the guest's memory of "
                      + size
                      + " bytes");
            }
            return len == 0 ? new byte[0] : memory.readBytes(ptr, len);
          },
          guest);
    } finally {
      guest.resetCall();
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T run();
  }

  /**
   * Runs guest code under a deadline of {@code limit}, extended by JIT compilation up to {@code
   * jitAllowance}, mapping every guest failure to a component error.
   *
   * @param what what runs, for the timeout message: {@code call} (the message docs/wasm-abi.md
   *     names), {@code instantiation}, {@code warm-up}
   */
  private <T> T guarded(
      Loaded loaded,
      String what,
      Duration limit,
      Duration jitAllowance,
      Body<T> body,
      Guest guest) {
    var deadline = deadlines.start(limit, jitAllowance);
    try {
      return body.run();
    } catch (ChicoryInterruptedException e) {
      throw timeout(loaded, what, limit);
    } catch (EvidentSourceException e) {
      throw e;
    } catch (StackOverflowError e) {
      throw failure(loaded, "call stack exhausted (unbounded recursion?)");
    } catch (RuntimeException e) {
      var domain = findCause(e, EvidentSourceException.class);
      if (domain != null) {
        throw domain;
      }
      if (findCause(e, ChicoryInterruptedException.class) != null
          || (deadline.fired() && findCause(e, InterruptedException.class) != null)) {
        throw timeout(loaded, what, limit);
      }
      var message = guest.errorMessage != null ? guest.errorMessage : describe(e);
      throw failure(loaded, message);
    } finally {
      deadline.finish();
    }
  }

  private static String describe(Throwable e) {
    var root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    var message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }

  private static <X extends Throwable> @Nullable X findCause(Throwable e, Class<X> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /**
   * {@code COMPONENT_TIMEOUT}: for a call "component X did not finish within N ms"; for one-time
   * work "component X did not finish its instantiation (warm-up) within N ms".
   */
  private static EvidentSourceException timeout(Loaded loaded, String what, Duration limit) {
    return new EvidentSourceException(
        ErrorCode.COMPONENT_TIMEOUT,
        "component "
            + loaded.name
            + " did not finish "
            + (what.equals("call") ? "" : "its " + what + " ")
            + "within "
            + limit.toMillis()
            + " ms",
        Map.of("limit_ms", limit.toMillis(), "component", loaded.name));
  }

  private static EvidentSourceException failure(Loaded loaded, String message) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("component", loaded.name);
    fields.put("component_message", message);
    return new EvidentSourceException(
        ErrorCode.COMPONENT_FAILED, "component " + loaded.name + " failed: " + message, fields);
  }

  private Loaded loaded(ComponentId id) {
    var loaded = modules.get(id);
    if (loaded == null) {
      throw new IllegalStateException(id + " is not loaded");
    }
    return loaded;
  }

  private static String digest(byte[] module) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(module));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> wasiFunctionNames() {
    try (var wasi = WasiPreview1.builder().withOptions(WasiOptions.builder().build()).build()) {
      return Arrays.stream(wasi.toHostFunctions())
          .map(HostFunction::name)
          .collect(Collectors.toUnmodifiableSet());
    }
  }

  @Override
  public void close() {
    idleSweep.cancel(false);
    watchdog.shutdownNow();
    unloadWhere(k -> true);
    synchronized (prepared) {
      prepared.values().forEach(this::release);
      prepared.clear();
    }
  }
}
