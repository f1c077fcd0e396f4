package io.evidentsource.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
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
import io.evidentsource.core.model.StoredEvent;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
              return size() > PREPARED_KEPT;
            }
          });

  private static final int PREPARED_KEPT = 16;
  private final ScheduledExecutorService watchdog;
  private final Function<WasmModule, Function<Instance, Machine>> compiler;

  /** A parsed, checked and compiled module with its idle instances. */
  private static final class Loaded {
    final ComponentKind kind;
    final WasmModule module;
    final @Nullable Function<Instance, Machine> machines;
    final ConcurrentLinkedDeque<Guest> idle = new ConcurrentLinkedDeque<>();
    final AtomicInteger created = new AtomicInteger();
    volatile String name = "(unpublished)";

    Loaded(ComponentKind kind, WasmModule module, @Nullable Function<Instance, Machine> machines) {
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
    this.limits = limits;
    this.compiler = compiler;
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              var t = new Thread(r, "wasm-deadline");
              t.setDaemon(true);
              return t;
            });
  }

  /** The limits in force. */
  public WasmLimits limits() {
    return limits;
  }

  @Override
  public int evolveBatchSize() {
    return limits.evolveBatchEvents();
  }

  @Override
  public void validate(ComponentKind kind, byte[] module) {
    prepared.put(digest(module), prepare(kind, module));
  }

  /**
   * Loads a published module under {@code id}. Loading a component of a newer generation of a
   * database drops the modules (and idle instances) of its earlier generations: a deleted
   * database's components are never called again (docs/data-model.md#databases, ADR 0007).
   */
  @Override
  public void load(ComponentId id, byte[] module) {
    modules
        .keySet()
        .removeIf(k -> k.database().equals(id.database()) && k.generation() < id.generation());
    modules.computeIfAbsent(
        id,
        k -> {
          var ready = prepared.remove(digest(module));
          var loaded =
              ready != null && ready.kind == id.kind() ? ready : prepare(id.kind(), module);
          loaded.name = id.toString();
          return loaded;
        });
  }

  @Override
  public boolean isLoaded(ComponentId id) {
    return modules.containsKey(id);
  }

  /** Whether {@code id} runs compiled (true) or interpreted (false). */
  public boolean isCompiled(ComponentId id) {
    return loaded(id).machines != null;
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

  private Loaded prepare(ComponentKind kind, byte[] bytes) {
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
    loaded.idle.push(guest);
    return loaded;
  }

  private Guest instantiate(Loaded loaded, String purpose) {
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
            // linear memory on a byte[]: guest loads and stores are faster than on a ByteBuffer
            .withMemoryFactory(ByteArrayMemory::new)
            .withStart(false);
    if (loaded.machines != null) {
      builder.withMachineFactory(loaded.machines);
    }
    guest.clock.set(Instant.EPOCH);
    try {
      Instance instance =
          guarded(
              loaded,
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
      if ("publish".equals(purpose) && e.code() == ErrorCode.COMPONENT_FAILED) {
        throw new EvidentSourceException(
            ErrorCode.INVALID_COMPONENT,
            "the module cannot be instantiated: " + e.getMessage(),
            Map.of("problems", List.of(String.valueOf(e.getMessage()))),
            e);
      }
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
                LOG.log(level, loaded.name + ": " + readString(instance, args[1], args[2], 8192));
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
              + AbiCheck.kindName(loaded.kind)
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
    return write(guest, GuestJson.viewResult(result));
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
      var previous = current;
      current =
          call(
              loaded,
              batchTime,
              null,
              guest -> {
                long s = write(guest, previous, previous.length);
                long e = write(guest, writer.buffer(), writer.length());
                long p = write(guest, paramsJson, paramsJson.length);
                return guest
                    .entry
                    .apply(
                        s >>> 32,
                        s & 0xffffffffL,
                        e >>> 32,
                        e & 0xffffffffL,
                        p >>> 32,
                        p & 0xffffffffL)[0];
              });
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
    var output =
        call(
            loaded,
            metadata.basisTime(),
            views,
            guest -> {
              long c = write(guest, commandJson);
              long m = write(guest, metadataJson);
              return guest.entry.apply(c >>> 32, c & 0xffffffffL, m >>> 32, m & 0xffffffffL)[0];
            });
    return GuestJson.decision(output, id.toString());
  }

  @FunctionalInterface
  private interface GuestCall {
    long run(Guest guest);
  }

  private byte[] call(
      Loaded loaded, Instant basisTime, @Nullable ViewReader views, GuestCall body) {
    var guest = loaded.idle.poll();
    if (guest == null) {
      guest = instantiate(loaded, "call");
    }
    guest.resetCall();
    guest.views = views;
    guest.clock.set(basisTime);
    guest.random.setSeed(basisTime.getEpochSecond() * 1_000_000_007L + basisTime.getNano());
    boolean healthy = false;
    try {
      var g = guest;
      byte[] output =
          guarded(
              loaded,
              () -> {
                long result = body.run(g);
                if (result < 0) {
                  throw failure(
                      loaded,
                      g.errorMessage != null
                          ? g.errorMessage
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
                long size = (long) g.instance.memory().pages() * WasmLimits.PAGE_BYTES;
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
                return len == 0 ? new byte[0] : g.instance.memory().readBytes(ptr, len);
              },
              guest);
      healthy = true;
      return output;
    } finally {
      guest.resetCall();
      if (healthy && loaded.idle.size() < limits.poolSize()) {
        loaded.idle.push(guest);
      }
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T run();
  }

  /** Runs guest code under the deadline, mapping every guest failure to a component error. */
  private <T> T guarded(Loaded loaded, Body<T> body, Guest guest) {
    var thread = Thread.currentThread();
    var state = new Object[] {Boolean.FALSE}; // [0]: fired
    var done = new boolean[] {false};
    var timer =
        watchdog.schedule(
            () -> {
              synchronized (state) {
                if (!done[0]) {
                  state[0] = Boolean.TRUE;
                  thread.interrupt();
                }
              }
            },
            limits.callTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
    try {
      return body.run();
    } catch (ChicoryInterruptedException e) {
      throw timeout(loaded);
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
          || (Boolean) state[0] && findCause(e, InterruptedException.class) != null) {
        throw timeout(loaded);
      }
      var message = guest.errorMessage != null ? guest.errorMessage : describe(e);
      throw failure(loaded, message);
    } finally {
      timer.cancel(false);
      synchronized (state) {
        done[0] = true;
        if ((Boolean) state[0]) {
          Thread.interrupted(); // clear the flag the deadline set
        }
      }
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

  private EvidentSourceException timeout(Loaded loaded) {
    return new EvidentSourceException(
        ErrorCode.COMPONENT_TIMEOUT,
        "component "
            + loaded.name
            + " did not finish within "
            + limits.callTimeout().toMillis()
            + " ms",
        Map.of("limit_ms", limits.callTimeout().toMillis(), "component", loaded.name));
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
    watchdog.shutdownNow();
    modules.clear();
    prepared.clear();
  }
}
