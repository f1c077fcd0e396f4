package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The server in a child JVM on this test's class path, its output in a log file: for the tests that
 * kill it with SIGKILL or watch it exit ({@code CrashRecoveryTest}, {@code OutOfMemoryTest}). The
 * HTTP helpers answer null when the connection fails (the server is going away).
 */
record ChildServer(Process process, Path log) {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** An HTTP answer: status and body. */
  record Answer(int status, String body) {}

  /**
   * Starts the server with {@code heap} ({@code -Xmx}) on {@code port} and waits up to 120 s until
   * {@code /actuator/health} answers 200.
   *
   * @param args the server's arguments beyond its ports and banner
   * @throws AssertionError with the log when it exits at start or does not start in time
   */
  static ChildServer start(int port, Path log, String heap, List<String> args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx" + heap,
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                EvidentSourceServer.class.getName(),
                "--server.port=" + port,
                "--spring.grpc.server.port=0",
                "--spring.main.banner-mode=off"));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    var child = new ChildServer(process, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the server exited at start:\n" + Files.readString(log));
      }
      var health =
          send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                  .timeout(Duration.ofSeconds(2))
                  .GET()
                  .build());
      if (health != null && health.status() == 200) {
        return child;
      }
      Thread.sleep(200);
    }
    child.kill();
    throw new AssertionError("the server did not start within 120 s:\n" + Files.readString(log));
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** The last 4,000 characters of the server's log. */
  String logTail() throws IOException {
    String text = Files.readString(log);
    return text.substring(Math.max(0, text.length() - 4_000));
  }

  /** A free loopback port. */
  static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** POSTs JSON; null when the connection fails. */
  static @Nullable Answer post(int port, String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  /** GETs with an {@code Accept} header when given; null when the connection fails. */
  static @Nullable Answer get(int port, String path, @Nullable String accept) {
    var b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return send(b.GET().build());
  }

  private static @Nullable Answer send(HttpRequest request) {
    try {
      var r = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
