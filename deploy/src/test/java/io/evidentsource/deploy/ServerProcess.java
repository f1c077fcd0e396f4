package io.evidentsource.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server started as a child process (the image's entrypoint), with its output in a log file under
 * {@code target/}. Readiness is asked the way the image's {@code HEALTHCHECK} asks it: by running
 * that command with the server's environment.
 */
final class ServerProcess implements AutoCloseable {
  /** An upper bound for a start on a busy two-core machine, not an expectation. */
  static final Duration START_LIMIT = Duration.ofMinutes(3);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final String name;
  private final Process process;
  private final Path log;
  private final Map<String, String> env;
  private final List<String> healthcheck;
  private final Path workdir;

  private ServerProcess(
      String name,
      Process process,
      Path log,
      Map<String, String> env,
      List<String> healthcheck,
      Path workdir) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.env = env;
    this.healthcheck = healthcheck;
    this.workdir = workdir;
  }

  static ServerProcess start(
      String name,
      Path workdir,
      List<String> command,
      Map<String, String> env,
      List<String> healthcheck) {
    try {
      Path log = Repo.work("logs").resolve(name + ".log");
      var builder =
          new ProcessBuilder(command)
              .directory(workdir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().clear();
      builder.environment().putAll(env);
      return new ServerProcess(name, builder.start(), log, Map.copyOf(env), healthcheck, workdir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name, e);
    }
  }

  /** A free TCP port on this machine (for a server's REST or gRPC port). */
  static int freePort() {
    try (var socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of one of the server's environment variables. */
  String env(String variable) {
    return env.get(variable);
  }

  int restPort() {
    return Integer.parseInt(env.get("SERVER_PORT"));
  }

  int grpcPort() {
    return Integer.parseInt(env.get("SPRING_GRPC_SERVER_PORT"));
  }

  /** Runs the image's health check once; true when it reports healthy (exit code 0). */
  boolean healthy() {
    return Tools.run(workdir, env, Duration.ofSeconds(30), healthcheck).exitCode() == 0;
  }

  /** The health check's output when it fails. */
  String healthOutput() {
    return Tools.run(workdir, env, Duration.ofSeconds(30), healthcheck).output();
  }

  /**
   * Waits until the image's health check passes.
   *
   * @throws AssertionError with the server's log when the process ends or {@link #START_LIMIT}
   *     passes first
   */
  ServerProcess awaitReady() {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            name + " exited with " + process.exitValue() + " before it was ready:\n" + logTail());
      }
      if (healthy()) {
        return this;
      }
      sleep(Duration.ofMillis(500));
    }
    throw new AssertionError(
        name + " was not ready within " + START_LIMIT + " (" + healthOutput() + "):\n" + logTail());
  }

  /** Sends a REST request to this server; the body is JSON (or none for GET/DELETE). */
  HttpResponse<String> rest(String method, String path, String jsonBody, String apiKey) {
    return send(URI.create("http://127.0.0.1:" + restPort() + path), method, jsonBody, apiKey);
  }

  static HttpResponse<String> send(URI uri, String method, String jsonBody, String apiKey) {
    var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    if (jsonBody == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json");
      request.method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The last lines of the server's output. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the server as a container stop does (SIGTERM, then SIGKILL after a grace period). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
