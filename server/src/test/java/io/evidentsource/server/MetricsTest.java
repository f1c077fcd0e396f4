package io.evidentsource.server;

import static io.evidentsource.server.Prometheus.delta;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.client.EvidentSourceClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The metrics of docs/operations.md as Prometheus scrapes them from {@code /actuator/prometheus}: a
 * workload of appends (committed, duplicate, with failed conditions, refused), queries, a live
 * tail, a state view read and state change commands moves each counter and histogram by exactly
 * what it did. Counters tagged with this test's own database start from zero; the untagged
 * histograms are compared before and after (the tests of this context run one at a time).
 */
class MetricsTest extends ServerTestBase {
  private static final String TX = "evidentsource_transactions_total";

  @Test
  void a_workload_moves_each_metric_by_exactly_what_it_did() throws Exception {
    var before = Prometheus.scrape(api);
    String db = api.createDatabase();
    String base = "/api/v1/databases/" + db;

    // appends: committed (2 events), two failed conditions, committed with a holding condition,
    // committed with a transaction id then its duplicate, and a stored event id again (refused)
    api.append(db, Api.event("a1", "s", "Opened", "acct/1"), Api.event("a2", "s", "Paid", null));
    api.postJson(
            base + "/transactions",
            "{\"events\":["
                + Api.event("a3", "s", "t", null)
                + "],\"conditions\":["
                + "{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":0},"
                + "{\"type\":\"min\",\"selector\":{\"type\":\"equals\",\"attr\":"
                + "{\"event_type\":\"Nope\"}},\"revision\":1}]}")
        .problem(409, "condition_failed");
    assertThat(
            api.postJson(
                    base + "/transactions",
                    "{\"events\":["
                        + Api.event("a4", "s", "t", null)
                        + "],\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"any\"},"
                        + "\"revision\":2}]}")
                .status())
        .isEqualTo(201);
    String tx = "{\"transaction_id\":\"" + UUID.randomUUID() + "\",\"events\":[";
    String once = tx + Api.event("a5", "s", "t", null) + "]}";
    assertThat(api.postJson(base + "/transactions", once).status()).isEqualTo(201);
    assertThat(api.postJson(base + "/transactions", once).json().get("duplicate").booleanValue())
        .isTrue();
    api.postJson(base + "/transactions", "{\"events\":[" + Api.event("a1", "s", "t", null) + "]}")
        .problem(409, "duplicate_event_id");

    // reads: two queries and one event by revision
    assertThat(api.get(base + "/events?limit=10").status()).isEqualTo(200);
    assertThat(api.postJson(base + "/events/query", "{\"selector\":{\"type\":\"any\"}}").status())
        .isEqualTo(200);
    assertThat(api.get(base + "/events/1").status()).isEqualTo(200);

    // a state view read (one evolve call) and three commands: committed, rejected, trapped
    var counter =
        ComponentApiTest.multipartPublish(
            api,
            base + "/state-views",
            "{\"state_view_name\":\"count\",\"content_type\":\"application/json\","
                + "\"event_selector\":{\"type\":\"any\"}}",
            ComponentApiTest.COUNTER);
    assertThat(counter.status()).as(counter.text()).isEqualTo(201);
    var view = api.get(base + "/state-views/count");
    assertThat(view.json().get("content").intValue()).isEqualTo(4);
    var echo =
        ComponentApiTest.multipartPublish(
            api,
            base + "/state-changes",
            "{\"state_change_name\":\"echo\"}",
            ComponentApiTest.ECHO);
    assertThat(echo.status()).as(echo.text()).isEqualTo(201);
    String command = base + "/state-changes/echo/commands";
    assertThat(
            api.postJson(command, "{\"events\":[" + Api.event("c1", "s", "t", null) + "]}")
                .status())
        .isEqualTo(201);
    api.postJson(command, "{\"rejection\":{\"code\":\"no\",\"message\":\"never\"}}")
        .problem(422, "command_rejected");
    api.postJson(command, "\"trap\"").problem(500, "component_failed");

    var after = Prometheus.scrape(api);
    assertThat(after.value(TX, "database", db, "outcome", "committed")).isEqualTo(4);
    assertThat(after.value(TX, "database", db, "outcome", "duplicate")).isEqualTo(1);
    assertThat(after.value(TX, "database", db, "outcome", "condition_failed")).isEqualTo(1);
    assertThat(after.value(TX, "database", db, "outcome", "rejected")).isEqualTo(1);
    assertThat(after.value(TX, "database", db, "outcome", "error")).isZero();
    assertThat(after.value("evidentsource_events_appended_total", "database", db)).isEqualTo(5);
    assertThat(after.value("evidentsource_conditions_failed_total", "database", db)).isEqualTo(2);
    assertThat(after.value("evidentsource_database_revision", "database", db)).isEqualTo(5);
    assertThat(after.value("evidentsource_database_events", "database", db)).isEqualTo(5);

    assertThat(delta(before, after, "evidentsource_append_seconds_count")).isEqualTo(7);
    assertThat(delta(before, after, "evidentsource_append_seconds_count", "outcome", "committed"))
        .isEqualTo(4);
    assertThat(delta(before, after, "evidentsource_query_seconds_count", "kind", "query"))
        .isEqualTo(2);
    assertThat(delta(before, after, "evidentsource_query_seconds_count", "kind", "get"))
        .isEqualTo(1);
    assertThat(delta(before, after, "evidentsource_query_seconds_count", "kind", "live")).isZero();
    // the histogram's +Inf bucket counts every observation
    assertThat(
            delta(
                before, after, "evidentsource_query_seconds_bucket", "kind", "query", "le", "+Inf"))
        .isEqualTo(2);

    String calls = "evidentsource_wasm_calls_total";
    assertThat(
            after.value(
                calls, "database", db, "component", "count", "kind", "state_view", "outcome", "ok"))
        .isEqualTo(1);
    assertThat(after.value(calls, "database", db, "component", "echo", "outcome", "ok"))
        .isEqualTo(1);
    assertThat(after.value(calls, "database", db, "component", "echo", "outcome", "rejected"))
        .isEqualTo(1);
    assertThat(after.value(calls, "database", db, "component", "echo", "outcome", "failed"))
        .isEqualTo(1);
    assertThat(delta(before, after, "evidentsource_wasm_seconds_count", "kind", "state_change"))
        .isEqualTo(3);
    assertThat(delta(before, after, "evidentsource_wasm_seconds_count", "kind", "state_view"))
        .isEqualTo(1);
    // the view was read once, from scratch: one fold cache miss
    assertThat(
            delta(before, after, "evidentsource_state_view_cache_lookups_total", "result", "miss"))
        .isEqualTo(1);

    // the database's index, kept by this server since its creation, was at the revision each read
    // and append needed: hits only, and some heap held
    assertThat(delta(before, after, "evidentsource_index_cache_lookups_total", "result", "hit"))
        .isPositive();
    assertThat(delta(before, after, "evidentsource_index_cache_lookups_total", "result", "miss"))
        .isZero();
    assertThat(after.value("evidentsource_index_cache_bytes")).isPositive();

    // last, a live tail from revision 1 receives the five events: one live read
    try (Stream<String> tail = openTail(base + "/events/live?from_revision=1")) {
      assertThat(tail.filter(l -> l.startsWith("id:")).limit(5).count()).isEqualTo(5);
      var open =
          eventually(
              p -> delta(after, p, "evidentsource_query_seconds_count", "kind", "live") >= 1);
      assertThat(open.value("evidentsource_subscriptions", "database", db)).isEqualTo(1);
      assertThat(delta(after, open, "evidentsource_query_seconds_count", "kind", "live"))
          .isEqualTo(1);
    }
    // (the server notices the closed connection at its next heartbeat write, 15 s later: the
    // gauge's fall is not waited for here)
  }

  @Test
  void the_http_timer_counts_each_rest_request_by_route_status_and_outcome() {
    String db = api.createDatabase();
    String path = "/api/v1/databases/" + db + "/transactions";
    String route = "/api/v1/databases/{db}/transactions";
    var before = Prometheus.scrape(api);
    api.append(db, Api.event("h1", "s", "t", null));
    api.append(db, Api.event("h2", "s", "t", null));
    api.postJson(
            path,
            "{\"events\":["
                + Api.event("h3", "s", "t", null)
                + "],\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"any\"},"
                + "\"revision\":0}]}")
        .problem(409, "condition_failed");
    api.postJson(
            "/api/v1/databases/" + db + "-missing/transactions",
            "{\"events\":[" + Api.event("h4", "s", "t", null) + "]}")
        .problem(404, "database_not_found");
    var after = Prometheus.scrape(api);

    assertThat(posts(before, after, route, "201", "SUCCESS", "exception", "none", "error", "none"))
        .isEqualTo(2);
    assertThat(posts(before, after, route, "409", "CLIENT_ERROR")).isEqualTo(1);
    assertThat(posts(before, after, route, "404", "CLIENT_ERROR")).isEqualTo(1);
    assertThat(delta(before, after, "http_server_requests_seconds_count", "uri", route))
        .isEqualTo(4);
  }

  /**
   * How many more POST requests to {@code route} the HTTP timer counted in {@code after} than in
   * {@code before} with that status, outcome and further labels ({@code key, value...}).
   */
  private static double posts(
      Prometheus before,
      Prometheus after,
      String route,
      String status,
      String outcome,
      String... labels) {
    var all =
        new ArrayList<>(
            List.of("method", "POST", "uri", route, "status", status, "outcome", outcome));
    all.addAll(List.of(labels));
    return delta(before, after, "http_server_requests_seconds_count", all.toArray(String[]::new));
  }

  @Autowired GrpcPort grpcPort;

  @Test
  void jvm_http_and_grpc_server_metrics_are_exposed() {
    api.get("/api/v1/databases");
    try (var client = EvidentSourceClient.builder().address("127.0.0.1", grpcPort.port()).build()) {
      client.listDatabases();
    }
    var p = Prometheus.scrape(api);
    assertThat(
            p.value(
                "grpc_server_seconds_count",
                "rpc_method",
                "ListDatabases",
                "grpc_status_code",
                "OK"))
        .isGreaterThanOrEqualTo(1);
    assertThat(p.has("jvm_memory_used_bytes")).isTrue();
    assertThat(p.has("http_server_requests_seconds_bucket")).isTrue();
    assertThat(p.has("process_cpu_usage")).isTrue();
    // no long-task timer per observation (management.metrics.observations.ignored-meters)
    assertThat(p.samples()).noneMatch(s -> s.name().startsWith("http_server_requests_active"));
  }

  @Test
  void a_deleted_database_loses_its_gauges() {
    String db = api.createDatabase();
    api.append(db, Api.event("a", "s", "t", null));
    assertThat(Prometheus.scrape(api).value("evidentsource_database_revision", "database", db))
        .isEqualTo(1);
    assertThat(api.delete("/api/v1/databases/" + db).status()).isEqualTo(204);
    assertThat(
            Prometheus.scrape(api).samples().stream()
                .anyMatch(
                    s ->
                        db.equals(s.labels().get("database"))
                            && s.name().startsWith("evidentsource_database")))
        .isFalse();
  }

  private Stream<String> openTail(String path) throws Exception {
    var response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Accept", "text/event-stream")
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** Scrapes until {@code condition} holds (at most 10 s); returns that scrape. */
  private Prometheus eventually(Predicate<Prometheus> condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      var p = Prometheus.scrape(api);
      if (condition.test(p) || System.nanoTime() > deadline) {
        assertThat(condition.test(p)).as("condition on the scrape within 10 s").isTrue();
        return p;
      }
      Thread.sleep(50);
    }
  }
}
