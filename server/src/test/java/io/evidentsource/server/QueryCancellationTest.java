package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.config.QueryBudgets;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A REST query whose client goes away stops (docs/limits.md#names-and-queries): its scan is
 * cancelled through the query budget, which {@code evidentsource.query.cancelled} counts, instead
 * of running to its end. The query is an {@code or} of 2,000 distinct three-tag {@code and}s over a
 * database whose events alternate between two disjoint tag sets, so that each {@code and} steps
 * through every event without a match: about twelve million index entries, against the few thousand
 * after which the budget first asks whether the client is still there. The budget's bounds are
 * lifted, so only a cancellation can end it early.
 */
@ServerTest
@TestPropertySource(
    properties = {
      "evidentsource.query.max-scanned-entries=1000000000000",
      "evidentsource.query.timeout=10m",
      "evidentsource.selector.max-terms=100000",
      "evidentsource.max-request-bytes=8MB",
      "evidentsource.max-bulk-bytes=64MB",
    })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class QueryCancellationTest extends ServerTestBase {
  static final int EVENTS = 4_000;
  static final int ANDS = 2_000;

  @Autowired MeterRegistry registry;
  String db;
  String query;

  @BeforeAll
  void load() {
    api = new Api(port);
    db = api.createDatabase();
    var ndjson = new StringBuilder();
    for (int i = 0; i < EVENTS; i++) {
      var tags = new StringJoiner(",");
      for (int t = 0; t < 32; t++) {
        tags.add((i % 2 == 0 ? "a" : "b") + t);
      }
      ndjson
          .append(
              Api.event(
                  "e" + i, "https://example.com/cancel", "T", "s", "\"tags\":\"" + tags + "\""))
          .append('\n');
    }
    var loaded =
        api.post("/api/v1/databases/" + db + "/events", "application/x-ndjson", ndjson.toString());
    assertThat(loaded.status()).as(loaded.text()).isIn(200, 201);

    var ands = new StringJoiner(",");
    int n = 0;
    outer:
    for (int i = 0; i < 32; i++) {
      for (int j = i + 1; j < 32; j++) {
        for (int k = 0; k < 32; k++) {
          ands.add(
              "{\"type\":\"and\",\"selectors\":["
                  + tag("a" + i)
                  + ","
                  + tag("a" + j)
                  + ","
                  + tag("b" + k)
                  + "]}");
          if (++n == ANDS) {
            break outer;
          }
        }
      }
    }
    query = "{\"selector\":{\"type\":\"or\",\"selectors\":[" + ands + "]},\"limit\":10}";
  }

  static String tag(String tag) {
    return "{\"type\":\"equals\",\"attr\":{\"tag\":\"" + tag + "\"}}";
  }

  double cancelled() {
    return registry.get(QueryBudgets.CANCELLED_METER).counter().count();
  }

  @Test
  void a_query_whose_client_closed_the_connection_is_cancelled_not_run_to_its_end()
      throws Exception {
    double before = cancelled();
    byte[] body = query.getBytes(StandardCharsets.UTF_8);
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/v1/databases/"
                  + db
                  + "/events/query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } // the client leaves without reading the answer
    while (cancelled() == before) {
      TimeUnit.MILLISECONDS.sleep(10); // bounded by @Timeout; the query alone runs far longer
    }
    assertThat(cancelled()).isEqualTo(before + 1);
  }

  @Test
  void the_same_query_with_its_client_still_there_runs_to_its_end() {
    double before = cancelled();
    var r = api.postJson("/api/v1/databases/" + db + "/events/query", query);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("events").size()).isZero();
    assertThat(cancelled()).isEqualTo(before);
  }
}
