package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The memory profile's budget for stored events (its own application context, a 400 KiB budget):
 * appends beyond it are refused with 507 {@code storage_full} naming the budget, nothing of a
 * refused transaction is stored, reads keep working, and deleting a database gives its share back.
 * A database the memory server does not know is reported with the hint that it started empty.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.profiles.active=memory",
      "spring.grpc.server.port=0",
      "evidentsource.memory.max-bytes=400KB",
    })
class MemoryBudgetTest {
  private static final String DATA = "x".repeat(8_000);
  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  /** Each test starts with the whole budget. */
  @AfterEach
  void deleteDatabases() {
    for (JsonNode db : api.get("/api/v1/databases").json().get("databases")) {
      api.delete("/api/v1/databases/" + db.get("name").stringValue());
    }
  }

  private static String event() {
    return Api.event(
        UUID.randomUUID().toString(),
        "https://example.com/budget",
        "com.example.filled",
        "s",
        "\"data\":\"" + DATA + "\"");
  }

  /** Appends 5-event transactions until one is refused; returns the refusal. */
  private Api.Response fill(String db, List<JsonNode> committed) {
    for (int i = 0; i < 100; i++) {
      Api.Response r =
          api.postJson(
              "/api/v1/databases/" + db + "/transactions",
              "{\"events\":["
                  + String.join(",", event(), event(), event(), event(), event())
                  + "]}");
      if (r.status() != 201) {
        return r;
      }
      committed.add(r.json());
    }
    throw new AssertionError("100 transactions of 40 KB fit a 400 KiB budget");
  }

  @Test
  void appends_beyond_the_budget_get_507_storage_full_and_reads_keep_working() {
    String db = api.createDatabase();
    var committed = new ArrayList<JsonNode>();
    Api.Response refused = fill(db, committed);

    JsonNode p = refused.problem(507, "storage_full");
    assertThat(p.get("limit_name").stringValue()).isEqualTo("evidentsource.memory.max-bytes");
    assertThat(p.get("limit").longValue()).isEqualTo(400 * 1024);
    assertThat(p.get("actual").longValue() + p.get("requested").longValue())
        .isGreaterThan(400 * 1024);
    assertThat(p.get("detail").stringValue()).contains("evidentsource.memory.max-bytes");
    // the code's title names both conditions it stands for (a full disk, the memory budget)
    assertThat(p.get("title").stringValue())
        .startsWith("The storage is full")
        .contains("disk")
        .contains("evidentsource.memory.max-bytes");
    assertThat(committed).hasSizeGreaterThanOrEqualTo(5); // 40 KB each, ~ 400 KiB in all

    long head = committed.get(committed.size() - 1).get("revision").longValue();
    assertThat(api.revision(db)).as("nothing of the refused transaction is stored").isEqualTo(head);
    assertThat(api.events(db, "subject=s")).hasSize((int) head);
    assertThat(api.get("/api/v1/databases/" + db + "/events/1").status()).isEqualTo(200);
    // refused again while nothing is freed
    fill(db, committed).problem(507, "storage_full");
  }

  @Test
  void an_unknown_database_on_the_memory_profile_says_the_server_started_empty() {
    JsonNode p =
        api.get("/api/v1/databases/created-before-a-restart").problem(404, "database_not_found");
    assertThat(p.get("storage").stringValue()).isEqualTo("memory");
    assertThat(java.time.Instant.parse(p.get("server_started_at").stringValue()))
        .isBefore(java.time.Instant.now());
    assertThat(p.get("detail").stringValue())
        .contains("in memory")
        .contains("started empty at " + p.get("server_started_at").stringValue());
  }

  @Test
  void deleting_a_database_frees_its_share_of_the_budget() {
    String first = api.createDatabase();
    var committed = new ArrayList<JsonNode>();
    fill(first, committed).problem(507, "storage_full");
    assertThat(committed).hasSizeGreaterThanOrEqualTo(5);

    assertThat(api.delete("/api/v1/databases/" + first).status()).isEqualTo(204);

    String second = api.createDatabase();
    var again = new ArrayList<JsonNode>();
    fill(second, again).problem(507, "storage_full");
    assertThat(again).hasSizeGreaterThanOrEqualTo(committed.size() - 1);
  }
}
