package io.evidentsource.server;

import static io.evidentsource.server.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Several HTTP clients writing to one database at once. */
class ConcurrentWritersTest extends ServerTestBase {
  static final int CLIENTS = 6;
  ExecutorService pool;
  String db;

  @BeforeEach
  void start() {
    pool = Executors.newFixedThreadPool(CLIENTS);
    db = api.createDatabase();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  <T> List<T> all(List<Callable<T>> tasks) throws Exception {
    var results = new ArrayList<T>();
    for (Future<T> f : pool.invokeAll(tasks)) {
      results.add(f.get());
    }
    return results;
  }

  @Test
  void unconditional_appends_never_fail_because_others_are_busy() throws Exception {
    int perClient = 15;
    var tasks = new ArrayList<Callable<List<Integer>>>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      tasks.add(
          () -> {
            var statuses = new ArrayList<Integer>();
            for (int i = 0; i < perClient; i++) {
              statuses.add(
                  api.postJson(
                          "/api/v1/databases/" + db + "/transactions",
                          "{\"events\":["
                              + event("c" + client + "-" + i, "/c" + client, "T", null)
                              + "]}")
                      .status());
            }
            return statuses;
          });
    }
    for (List<Integer> statuses : all(tasks)) {
      assertThat(statuses).containsOnly(201);
    }
    List<JsonNode> events = api.events(db, "");
    assertThat(events).hasSize(CLIENTS * perClient);
    var revisions = new TreeSet<Long>();
    events.forEach(e -> revisions.add(e.get("revision").longValue()));
    assertThat(revisions.first()).isEqualTo(1);
    assertThat(revisions.last()).isEqualTo((long) CLIENTS * perClient); // dense: no gaps
    // each client's events are in its own order
    for (int c = 0; c < CLIENTS; c++) {
      List<JsonNode> mine = api.events(db, "stream=%2Fc" + c);
      for (int i = 0; i < perClient; i++) {
        assertThat(mine.get(i).get("id").stringValue()).isEqualTo("c" + c + "-" + i);
      }
    }
  }

  @Test
  void exactly_one_of_competing_guarded_appends_wins() throws Exception {
    // every client claims the username "ada" if nothing claimed it yet: max(tag, 0)
    String claim =
        "{\"type\":\"max\",\"selector\":{\"type\":\"equals\",\"attr\":{\"tag\":\"username:ada\"}},"
            + "\"revision\":0}";
    var tasks = new ArrayList<Callable<Integer>>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      tasks.add(
          () ->
              api.postJson(
                      "/api/v1/databases/" + db + "/transactions",
                      "{\"events\":["
                          + event(
                              "claim-" + client,
                              "/users",
                              "UsernameClaimed",
                              "user-" + client,
                              "\"tags\":\"username:ada\"")
                          + "],\"conditions\":["
                          + claim
                          + "]}")
                  .status());
    }
    List<Integer> statuses = all(tasks);
    assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
    assertThat(statuses).filteredOn(s -> s == 409).hasSize(CLIENTS - 1);
    assertThat(api.revision(db)).isEqualTo(1);
  }
}
