package io.evidentsource.storage.dynamodb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * A real AWS API emulator for tests: the {@code moto} server from PyPI, serving DynamoDB, SNS and
 * SQS on a free loopback port, <b>on a single thread</b> ({@code moto_single_threaded.py}), so each
 * {@code TransactWriteItems} is atomic as it is in DynamoDB. Started once per JVM by {@link
 * #shared()} and stopped when the JVM exits (the launcher also stops when its stdin closes).
 *
 * <p>Needs {@code python3} with {@code moto[server]} installed ({@code pip install 'moto[server]'};
 * {@code .ci/run} does it); without it the tests fail with a message saying so. Set {@code
 * MOTO_PYTHON} to use another interpreter.
 */
public final class MotoServer implements AutoCloseable {
  private static final String INSTALL_HINT =
      "the DynamoDB/SNS/SQS tests need the moto server: run `pip install 'moto[server]'` "
          + "(python3 on the PATH, or set MOTO_PYTHON to an interpreter that has moto)";
  private static MotoServer shared;

  private final Process process;
  private final URI endpoint;

  private MotoServer(Process process, int port) {
    this.process = process;
    this.endpoint = URI.create("http://127.0.0.1:" + port);
  }

  /** The JVM-wide single-threaded moto server, started on first use. */
  public static synchronized MotoServer shared() {
    if (shared == null) {
      shared = start();
      MotoServer s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "moto-stop"));
    }
    return shared;
  }

  /** Starts a new single-threaded moto server; the caller closes it. */
  public static MotoServer start() {
    String python = System.getenv().getOrDefault("MOTO_PYTHON", "python3");
    checkMotoInstalled(python);
    try {
      Path script = Files.createTempFile("moto_single_threaded", ".py");
      script.toFile().deleteOnExit();
      try (InputStream in = MotoServer.class.getResourceAsStream("moto_single_threaded.py")) {
        if (in == null) {
          throw new IllegalStateException("moto_single_threaded.py missing from test resources");
        }
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      Process p =
          new ProcessBuilder(python, script.toString())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      var out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("PORT ")) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "moto server did not start (first line: " + line + "); " + INSTALL_HINT);
      }
      int port = Integer.parseInt(line.substring(5).trim());
      Thread drain =
          new Thread(
              () -> {
                try {
                  while (out.readLine() != null) {
                    // discard request logs
                  }
                } catch (IOException ignored) {
                  // process ended
                }
              },
              "moto-stdout");
      drain.setDaemon(true);
      drain.start();
      return new MotoServer(p, port);
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start moto: " + e.getMessage() + "; " + INSTALL_HINT, e);
    }
  }

  private static void checkMotoInstalled(String python) {
    try {
      Process check =
          new ProcessBuilder(python, "-c", "import moto.moto_server.werkzeug_app, werkzeug.serving")
              .redirectErrorStream(true)
              .start();
      String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
        throw new IllegalStateException(INSTALL_HINT + "\n" + output.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          INSTALL_HINT + " (could not run '" + python + "': " + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(INSTALL_HINT, e);
    }
  }

  /** The HTTP endpoint, e.g. {@code http://127.0.0.1:40497}. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // already gone
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
