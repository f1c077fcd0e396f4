package io.evidentsource.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools the checks run (hadolint, checkov, tflint, python3, node, haproxy): found
 * on the {@code PATH} or where {@code .ci/run} installs them, else a failure that says how to
 * install them.
 */
final class Tools {
  private Tools() {}

  /** What a finished command printed (stdout and stderr interleaved) and its exit code. */
  record Result(int exitCode, String output) {}

  /**
   * The executable {@code name}: on the {@code PATH}, else the first of {@code candidates} that
   * exists.
   *
   * @throws IllegalStateException with {@code installHint} when it is nowhere
   */
  static Path locate(String name, String installHint, Path... candidates) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator, -1)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(name + " is not installed: " + installHint);
  }

  /** checkov: on the {@code PATH} or in the virtualenv {@code .ci/run} installs it in. */
  static Path checkov() {
    return locate(
        "checkov",
        "pip install checkov (in a virtualenv: its pins clash with moto's;"
            + " .ci/run installs it in /opt/checkov-venv)",
        Path.of("/opt/checkov-venv/bin/checkov"));
  }

  /** Where {@code go install} puts binaries. */
  static Path goBin(String name) {
    String gopath = System.getenv("GOPATH");
    Path base =
        gopath != null && !gopath.isBlank()
            ? Path.of(gopath)
            : Path.of(System.getProperty("user.home"), "go");
    return base.resolve("bin").resolve(name);
  }

  /**
   * Runs a command to its end in {@code dir} with extra environment variables.
   *
   * @throws IllegalStateException when it runs longer than {@code timeout} (it is killed)
   */
  static Result run(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
    try {
      Path output = Files.createTempFile("tool-output", ".txt");
      try {
        var builder =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new IllegalStateException(
              String.join(" ", command)
                  + " did not finish within "
                  + timeout
                  + ":\n"
                  + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    }
  }

  /** {@link #run(Path, Map, Duration, List)} with the arguments as varargs. */
  static Result run(Path dir, Map<String, String> env, Duration timeout, Object... command) {
    var args = new ArrayList<String>();
    for (Object arg : command) {
      args.add(arg.toString());
    }
    return run(dir, env, timeout, args);
  }
}
