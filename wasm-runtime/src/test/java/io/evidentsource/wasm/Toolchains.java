package io.evidentsource.wasm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Builds the guests under {@code guests/} from source at test time with the real toolchains (Go,
 * AssemblyScript, clang for wasm32-wasi) into {@code target/guests/}. A missing toolchain fails the
 * test with the command that installs it ({@code .ci/run} installs them all); nothing is skipped.
 */
final class Toolchains {
  static final Path GUESTS = Path.of("..", "guests").toAbsolutePath().normalize();
  static final Path OUT = Path.of("target", "guests").toAbsolutePath();
  private static final Map<String, byte[]> BUILT = new ConcurrentHashMap<>();

  private Toolchains() {}

  /**
   * {@code GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared
   * -gcflags=github.com/valyala/fastjson=-l ./<pkg>} in guests/go. Not inlining into fastjson keeps
   * its parser's functions smaller, so more of the JVM methods Chicory makes of them stay under
   * HotSpot's JIT size limit (8,000 bytes of bytecode; larger methods are interpreted).
   */
  static byte[] go(String pkg) {
    return BUILT.computeIfAbsent(
        "go:" + pkg,
        k -> {
          var go =
              find(
                  "go",
                  List.of("/usr/local/go/bin/go", "/usr/lib/go/bin/go"),
                  "Go 1.24+ is needed to build the Go guests: install it from https://go.dev/dl "
                      + "(or run .ci/run)");
          var out = OUT.resolve("go").resolve(pkg + ".wasm");
          run(
              GUESTS.resolve("go"),
              Map.of("GOOS", "wasip1", "GOARCH", "wasm"),
              go,
              "build",
              "-buildmode=c-shared",
              "-gcflags=github.com/valyala/fastjson=-l",
              "-o",
              out.toString(),
              "./" + pkg);
          return read(out);
        });
  }

  /** {@code asc <file> --outFile x.wasm --optimize} with guests/assemblyscript's compiler. */
  static byte[] assemblyScript(String file) {
    return BUILT.computeIfAbsent(
        "asc:" + file,
        k -> {
          var dir = GUESTS.resolve("assemblyscript");
          var asc = dir.resolve("node_modules").resolve(".bin").resolve("asc");
          if (!Files.isExecutable(asc)) {
            throw new IllegalStateException(
                "the AssemblyScript compiler is not installed: run 'npm ci' (or 'npm install') in "
                    + dir
                    + " (Node.js 18+ and npm are needed; .ci/run does this)");
          }
          var out = OUT.resolve("assemblyscript").resolve(file.replace(".ts", ".wasm"));
          run(
              dir,
              Map.of(),
              asc.toString(),
              file,
              "--outFile",
              out.toString(),
              "--optimize",
              "--runtime",
              "stub");
          return read(out);
        });
  }

  /** {@code clang --target=wasm32-wasi -mexec-model=reactor} on guests/c/<file>. */
  static byte[] c(String file) {
    return BUILT.computeIfAbsent(
        "c:" + file,
        k -> {
          var clang =
              find(
                  "clang",
                  List.of(),
                  "clang for wasm32-wasi is needed to build the C guests: apt-get install clang lld"
                      + " wasi-libc libclang-rt-dev-wasm32 (or run .ci/run)");
          var out = OUT.resolve("c").resolve(file.replace(".c", ".wasm"));
          run(
              GUESTS.resolve("c"),
              Map.of(),
              clang,
              "--target=wasm32-wasi",
              "-mexec-model=reactor",
              "-O2",
              "-o",
              out.toString(),
              file);
          return read(out);
        });
  }

  private static String find(String tool, List<String> fallbacks, String howToInstall) {
    var path = System.getenv().getOrDefault("PATH", "");
    for (var dir : path.split(File.pathSeparator, -1)) {
      if (dir.isEmpty()) {
        continue; // an empty PATH entry
      }
      var candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    for (var f : fallbacks) {
      if (Files.isExecutable(Path.of(f))) {
        return f;
      }
    }
    throw new IllegalStateException("'" + tool + "' was not found on PATH. " + howToInstall);
  }

  private static void run(Path dir, Map<String, String> env, String... command) {
    try {
      for (var sub : List.of("go", "assemblyscript", "c")) {
        Files.createDirectories(OUT.resolve(sub));
      }
      var builder =
          new ProcessBuilder(new ArrayList<>(List.of(command)))
              .directory(dir.toFile())
              .redirectErrorStream(true);
      builder.environment().putAll(env);
      var process = builder.start();
      var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
        throw new IllegalStateException(
            "guest build failed in " + dir + ": " + String.join(" ", command) + "\n" + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building a guest", e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException("the guest build produced no " + file, e);
    }
  }
}
