package io.evidentsource.wasm;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The publish-time check of a module against the ABI (docs/wasm-abi.md#the-contract): required
 * exports with their signatures, and imports only from {@code evidentsource}, {@code
 * wasi_snapshot_preview1} and AssemblyScript's {@code env.abort}. Every problem is named in one
 * error.
 */
final class AbiCheck {
  static final String HOST_MODULE = "evidentsource";
  static final String WASI_MODULE = "wasi_snapshot_preview1";

  private static final ValType I32 = ValType.I32;
  private static final ValType I64 = ValType.I64;

  /** Signatures of the host imports a guest may use. */
  static final Map<String, FunctionType> HOST_IMPORTS =
      Map.of(
          "view_state", FunctionType.of(List.of(I32, I32, I32, I32), List.of(I64)),
          "error", FunctionType.of(List.of(I32, I32), List.of()),
          "log", FunctionType.of(List.of(I32, I32, I32), List.of()));

  static final FunctionType ABORT = FunctionType.of(List.of(I32, I32, I32, I32), List.of());
  static final FunctionType ALLOC = FunctionType.of(List.of(I32), List.of(I32));
  static final FunctionType EVOLVE =
      FunctionType.of(List.of(I32, I32, I32, I32, I32, I32), List.of(I64));
  static final FunctionType DECIDE = FunctionType.of(List.of(I32, I32, I32, I32), List.of(I64));
  static final FunctionType INITIALIZE = FunctionType.of(List.of(), List.of());

  private AbiCheck() {}

  /**
   * Checks {@code module} for {@code kind}.
   *
   * @param wasiFunctions the names the sandboxed WASI host provides
   * @throws EvidentSourceException {@code INVALID_COMPONENT} with {@code problems} listing each
   *     missing export, wrong signature or forbidden import
   */
  static void check(
      WasmModule module, ComponentKind<?> kind, Set<String> wasiFunctions, int maxMemoryPages) {
    var problems = new ArrayList<String>();
    var imports = module.importSection();
    var importedFunctionTypes = new ArrayList<FunctionType>();
    for (int i = 0; i < imports.importCount(); i++) {
      Import imp = imports.getImport(i);
      var where = "'" + imp.module() + "." + imp.name() + "'";
      if (!(imp instanceof FunctionImport f)) {
        problems.add(
            "import "
                + where
                + " is a "
                + String.valueOf(imp.importType()).toLowerCase(java.util.Locale.ROOT)
                + "; only functions may be imported");
        continue;
      }
      var type = module.typeSection().getType(f.typeIndex());
      importedFunctionTypes.add(type);
      if (imp.module().equals(HOST_MODULE)) {
        var expected = HOST_IMPORTS.get(imp.name());
        if (expected == null) {
          problems.add(
              "import "
                  + where
                  + " is not a host function; the host provides "
                  + HOST_IMPORTS.keySet().stream().sorted().toList());
        } else if (!expected.equals(type)) {
          problems.add("import " + where + " has type " + type + ", expected " + expected);
        }
      } else if (imp.module().equals(WASI_MODULE)) {
        if (!wasiFunctions.contains(imp.name())) {
          problems.add("import " + where + " is not a WASI preview1 function");
        }
      } else if (imp.module().equals("env") && imp.name().equals("abort")) {
        if (!ABORT.equals(type)) {
          problems.add("import " + where + " has type " + type + ", expected " + ABORT);
        }
      } else {
        problems.add(
            "import "
                + where
                + " is forbidden; allowed: '"
                + HOST_MODULE
                + ".*', '"
                + WASI_MODULE
                + ".*' and 'env.abort'");
      }
    }
    var exports = module.exportSection();
    boolean hasMemory = false;
    var functions = new java.util.HashMap<String, FunctionType>();
    for (int i = 0; i < exports.exportCount(); i++) {
      Export e = exports.getExport(i);
      if (e.exportType() == ExternalType.MEMORY && e.name().equals("memory")) {
        hasMemory = true;
      } else if (e.exportType() == ExternalType.FUNCTION) {
        int index = e.index();
        FunctionType type =
            index < importedFunctionTypes.size()
                ? importedFunctionTypes.get(index)
                : module
                    .functionSection()
                    .getFunctionType(index - importedFunctionTypes.size(), module.typeSection());
        functions.put(e.name(), type);
      }
    }
    if (!hasMemory) {
      problems.add("missing export 'memory' (the guest's linear memory)");
    }
    expect(functions, "evidentsource_alloc", ALLOC, problems);
    expect(
        functions, kind.entryPoint(), kind == ComponentKind.STATE_VIEW ? EVOLVE : DECIDE, problems);
    if (functions.containsKey("_initialize") && !INITIALIZE.equals(functions.get("_initialize"))) {
      problems.add("export '_initialize' must take and return nothing");
    }
    module
        .memorySection()
        .ifPresent(
            memories -> {
              for (int i = 0; i < memories.memoryCount(); i++) {
                int initial = memories.getMemory(i).limits().initialPages();
                if (initial > maxMemoryPages) {
                  problems.add(
                      "memory starts at "
                          + initial
                          + " pages, above the limit of "
                          + maxMemoryPages
                          + " pages");
                }
              }
            });
    if (!problems.isEmpty()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_COMPONENT,
          "the module does not meet the " + kind.label() + " ABI: " + String.join("; ", problems),
          Map.of("problems", Collections.unmodifiableList(problems)));
    }
  }

  private static void expect(
      Map<String, FunctionType> functions, String name, FunctionType type, List<String> problems) {
    var actual = functions.get(name);
    if (actual == null) {
      problems.add("missing export '" + name + "' " + type);
    } else if (!type.equals(actual)) {
      problems.add("export '" + name + "' has type " + actual + ", expected " + type);
    }
  }
}
