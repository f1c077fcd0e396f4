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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that keeps writing to the in-memory server, in a child JVM with a small heap ({@code
 * -Xmx160m}, without {@code -XX:+ExitOnOutOfMemoryError}): with the default budget the server
 * refuses appends with 507 {@code storage_full} and goes on serving reads; with the budget set
 * beyond the heap it runs out of memory, and then exits with status 3 instead of lingering.
 */
class OutOfMemoryTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final String DATA = "y".repeat(48_000);

  @TempDir Path temp;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void with_the_default_budget_writes_are_refused_before_the_heap_fills_and_reads_go_on()
      throws Exception {
    int port = freePort();
    Path log = temp.resolve("server.log");
    Process server = start(port, log, List.of());
    try {
      assertThat(post(port, "/api/v1/databases", "{\"name\":\"full\"}").status()).isEqualTo(201);
      Answer refused = null;
      int committed = 0;
      for (int i = 0; i < 1_000 && refused == null; i++) {
        Answer a = post(port, "/api/v1/databases/full/transactions", transaction());
        assertThat(a).as("the server answers every append; log:%n%s", tail(log)).isNotNull();
        if (a.status() == 201) {
          committed++;
        } else {
          refused = a;
        }
      }
      assertThat(refused).as("an append was refused within 1,000 transactions").isNotNull();
      assertThat(refused.status()).as(refused.body()).isEqualTo(507);
      assertThat(refused.body())
          .contains("\"code\":\"storage_full\"")
          .contains("evidentsource.memory.max-bytes");
      assertThat(committed).as("the budget is half the heap: ~80 MB").isGreaterThan(20);

      Answer head = get(port, "/api/v1/databases/full");
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.body()).contains("\"revision\":" + committed * 20);
      Answer page = get(port, "/api/v1/databases/full/events?limit=50");
      assertThat(page.status()).isEqualTo(200);
      assertThat(get(port, "/actuator/health").status()).isEqualTo(200);
      assertThat(server.isAlive()).isTrue();
    } finally {
      server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void a_server_out_of_heap_exits_with_status_3() throws Exception {
    int port = freePort();
    Path log = temp.resolve("server.log");
    Process server = start(port, log, List.of("--evidentsource.memory.max-bytes=8GB"));
    try {
      assertThat(post(port, "/api/v1/databases", "{\"name\":\"oom\"}").status()).isEqualTo(201);
      for (int i = 0; i < 2_000 && server.isAlive(); i++) {
        Answer a = post(port, "/api/v1/databases/oom/transactions", transaction());
        if (a == null) {
          break; // the connection failed: the server is going away
        }
      }
      assertThat(server.waitFor(60, TimeUnit.SECONDS))
          .as("the server exits once out of heap; log:%n%s", tail(log))
          .isTrue();
      assertThat(server.exitValue()).isEqualTo(3);
      assertThat(Files.readString(log)).contains("FATAL: the JVM ran out of heap");
    } finally {
      server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** 20 events of 48 KB each: just under the 1 MiB request limit. */
  private static String transaction() {
    var events = new ArrayList<String>();
    for (int i = 0; i < 20; i++) {
      events.add(
          Api.event(
              UUID.randomUUID().toString(),
              "https://example.com/oom",
              "com.example.big",
              "s",
              "\"data\":\"" + DATA + "\""));
    }
    return "{\"events\":[" + String.join(",", events) + "]}";
  }

  private static Process start(int port, Path log, List<String> extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx160m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                EvidentSourceServer.class.getName(),
                "--server.port=" + port,
                "--spring.grpc.server.port=0",
                "--spring.profiles.active=memory",
                "--spring.main.banner-mode=off"));
    command.addAll(extra);
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the server exited at start:\n" + Files.readString(log));
      }
      Answer health = get(port, "/actuator/health");
      if (health != null && health.status() == 200) {
        return process;
      }
      Thread.sleep(200);
    }
    process.destroyForcibly();
    throw new AssertionError("the server did not start within 120 s:\n" + Files.readString(log));
  }

  record Answer(int status, String body) {}

  private static @Nullable Answer post(int port, String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private static @Nullable Answer get(int port, String path) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build());
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

  private static String tail(Path log) throws IOException {
    String text = Files.readString(log);
    return text.substring(Math.max(0, text.length() - 4_000));
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
