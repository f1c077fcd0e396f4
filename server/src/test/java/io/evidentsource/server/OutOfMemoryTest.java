package io.evidentsource.server;

import static io.evidentsource.server.ChildServer.get;
import static io.evidentsource.server.ChildServer.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.ChildServer.Answer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
  private static final String DATA = "y".repeat(48_000);

  @TempDir Path temp;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void with_the_default_budget_writes_are_refused_before_the_heap_fills_and_reads_go_on()
      throws Exception {
    int port = ChildServer.freePort();
    ChildServer server = start(port, temp.resolve("server.log"), List.of());
    try {
      assertThat(post(port, "/api/v1/databases", "{\"name\":\"full\"}").status()).isEqualTo(201);
      Answer refused = null;
      int committed = 0;
      for (int i = 0; i < 1_000 && refused == null; i++) {
        Answer a = post(port, "/api/v1/databases/full/transactions", transaction());
        assertThat(a).as("the server answers every append; log:%n%s", server.logTail()).isNotNull();
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

      Answer head = get(port, "/api/v1/databases/full", null);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.body()).contains("\"revision\":" + committed * 20);
      Answer page = get(port, "/api/v1/databases/full/events?limit=50", null);
      assertThat(page.status()).isEqualTo(200);
      assertThat(get(port, "/actuator/health", null).status()).isEqualTo(200);
      assertThat(server.process().isAlive()).isTrue();
    } finally {
      server.kill();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void a_server_out_of_heap_exits_with_status_3() throws Exception {
    int port = ChildServer.freePort();
    ChildServer server =
        start(port, temp.resolve("server.log"), List.of("--evidentsource.memory.max-bytes=8GB"));
    Process process = server.process();
    try {
      assertThat(post(port, "/api/v1/databases", "{\"name\":\"oom\"}").status()).isEqualTo(201);
      for (int i = 0; i < 2_000 && process.isAlive(); i++) {
        Answer a = post(port, "/api/v1/databases/oom/transactions", transaction());
        if (a == null) {
          break; // the connection failed: the server is going away
        }
      }
      assertThat(process.waitFor(60, TimeUnit.SECONDS))
          .as("the server exits once out of heap; log:%n%s", server.logTail())
          .isTrue();
      assertThat(process.exitValue()).isEqualTo(3);
      assertThat(Files.readString(server.log())).contains("FATAL: the JVM ran out of heap");
    } finally {
      server.kill();
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

  private static ChildServer start(int port, Path log, List<String> extra) throws Exception {
    var args = new ArrayList<>(List.of("--spring.profiles.active=memory"));
    args.addAll(extra);
    return ChildServer.start(port, log, "160m", args);
  }
}
