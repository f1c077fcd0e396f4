package io.evidentsource.server;

import static io.evidentsource.server.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.Api.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** NDJSON bulk load on {@code POST .../events} with {@code application/x-ndjson}. */
class BulkLoadTest extends ServerTestBase {
  String db;

  @BeforeEach
  void database() {
    db = api.createDatabase();
  }

  Response load(String body) {
    return api.post("/api/v1/databases/" + db + "/events", "application/x-ndjson", body);
  }

  static String lines(int from, int to) {
    var out = new StringBuilder();
    for (int i = from; i <= to; i++) {
      out.append(event("e" + i, "/bulk", "Loaded", "item-" + i)).append('\n');
    }
    return out.toString();
  }

  @Test
  void appends_every_line_in_order_in_batches() {
    Response r = load(lines(1, 60));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    JsonNode result = r.json();
    assertThat(result.propertyNames()).containsExactly("event_count", "first_revision", "revision");
    assertThat(result.get("event_count").longValue()).isEqualTo(60);
    assertThat(result.get("first_revision").longValue()).isEqualTo(1);
    assertThat(result.get("revision").longValue()).isEqualTo(60);
    List<JsonNode> events = api.events(db, "");
    assertThat(events).hasSize(60);
    for (int i = 0; i < 60; i++) {
      assertThat(events.get(i).get("id").stringValue()).isEqualTo("e" + (i + 1));
      assertThat(events.get(i).get("revision").longValue()).isEqualTo(i + 1);
    }
    // batches of max-batch-events (25) are separate transactions: 3 distinct commit times at most
    var times = new java.util.LinkedHashSet<String>();
    events.forEach(e -> times.add(e.get("recordedtime").stringValue()));
    assertThat(times.size()).isBetween(1, 3);
  }

  @Test
  void ignores_blank_lines_and_accepts_crlf_and_a_missing_final_newline() {
    String body =
        "\r\n" + event("a", "/s", "T", null) + "\r\n\n   \n" + event("b", "/s", "T", null);
    Response r = load(body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("event_count").longValue()).isEqualTo(2);
  }

  @Test
  void a_bad_line_is_400_naming_the_line_and_nothing_is_stored() {
    String body =
        lines(1, 30)
            + "\n{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/s\"}\n"
            + lines(31, 40);
    JsonNode p = load(body).problem(400, "missing_attribute");
    assertThat(p.get("line").intValue()).isEqualTo(32);
    assertThat(p.get("attribute").stringValue()).isEqualTo("type");
    assertThat(p.get("detail").stringValue()).contains("line 32").contains("nothing was stored");
    assertThat(api.revision(db)).isZero();
  }

  @Test
  void malformed_json_names_the_line() {
    JsonNode p =
        load(lines(1, 3) + "{\"specversion\":\n" + lines(4, 5)).problem(400, "malformed_json");
    assertThat(p.get("line").intValue()).isEqualTo(4);
    assertThat(p.get("column").intValue()).isPositive();
    assertThat(p.get("detail").stringValue()).startsWith("line 4: not well-formed JSON at column ");
    assertThat(api.revision(db)).isZero();
  }

  @Test
  void an_event_the_core_validator_refuses_names_the_line() {
    String tooLong = event("x", "/s", "T", "s".repeat(2000));
    JsonNode p = load(lines(1, 2) + tooLong + "\n").problem(413, "attribute_too_long");
    assertThat(p.get("line").intValue()).isEqualTo(3);
    assertThat(p.get("limit").intValue()).isEqualTo(1024);
    assertThat(api.revision(db)).isZero();
  }

  @Test
  void duplicate_ids_within_the_file_are_refused_before_storing() {
    JsonNode p =
        load(lines(1, 5) + event("e2", "/bulk", "Again", null) + "\n")
            .problem(409, "duplicate_event_id");
    assertThat(p.get("line").intValue()).isEqualTo(6);
    assertThat(p.get("first_line").intValue()).isEqualTo(2);
    assertThat(api.revision(db)).isZero();
  }

  @Test
  void an_id_already_stored_in_the_database_is_refused_before_storing() {
    api.append(db, event("e30", "/bulk", "Loaded", "item-30")); // revision 1
    JsonNode p = load(lines(1, 60)).problem(409, "duplicate_event_id");
    assertThat(p.get("line").intValue()).isEqualTo(30);
    assertThat(p.get("existing_revision").longValue()).isEqualTo(1);
    assertThat(p.get("detail").stringValue()).contains("nothing was stored");
    assertThat(p.has("stored_event_count")).isFalse();
    assertThat(api.revision(db)).isEqualTo(1);
  }

  @Test
  void an_empty_body_is_400() {
    load("\n\n").problem(400, "empty_transaction");
  }

  @Test
  void an_unknown_database_is_404() {
    db = "no-such-db";
    load(lines(1, 1)).problem(404, "database_not_found");
  }

  @Test
  void a_body_over_the_bulk_limit_is_413_and_nothing_is_stored() {
    var big = new StringBuilder();
    int i = 0;
    while (big.length() <= ServerTest.MAX_BULK_BYTES + 100_000) {
      big.append(event("big" + i, "/bulk", "Loaded", null, "\"data\":\"" + "z".repeat(2000) + "\""))
          .append('\n');
      i++;
    }
    // chunked, so the server finds out while reading rather than from Content-Length
    JsonNode p =
        api.postChunked(
                "/api/v1/databases/" + db + "/events",
                "application/x-ndjson",
                big.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .problem(413, "body_too_large");
    assertThat(p.get("limit").longValue()).isEqualTo(ServerTest.MAX_BULK_BYTES);
    assertThat(p.get("limit_name").stringValue()).isEqualTo("evidentsource.max-bulk-bytes");
    assertThat(api.revision(db)).isZero();
  }

  @Test
  void a_line_over_the_request_limit_is_413_naming_the_line() {
    String huge =
        event(
            "h", "/s", "T", null, "\"data\":\"" + "q".repeat(ServerTest.MAX_REQUEST_BYTES) + "\"");
    JsonNode p = load(lines(1, 2) + huge + "\n").problem(413, "body_too_large");
    assertThat(p.get("line").intValue()).isEqualTo(3);
    assertThat(p.get("limit").longValue()).isEqualTo(ServerTest.MAX_REQUEST_BYTES);
    assertThat(api.revision(db)).isZero();
  }

  @Test
  void the_bulk_format_is_what_an_ndjson_query_returns_minus_the_server_attributes() {
    load(lines(1, 3));
    Response export =
        api.get("/api/v1/databases/" + db + "/events", "Accept", "application/x-ndjson");
    var reimport = new ArrayList<String>();
    for (JsonNode e : export.lines()) {
      var copy = (tools.jackson.databind.node.ObjectNode) e;
      copy.remove("revision");
      copy.remove("recordedtime");
      reimport.add(copy.toString());
    }
    String other = api.createDatabase();
    Response r =
        api.post(
            "/api/v1/databases/" + other + "/events",
            "application/x-ndjson",
            String.join("\n", reimport));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(api.events(other, "")).hasSize(3);
  }
}
