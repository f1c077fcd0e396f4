package io.evidentsource.server;

import static io.evidentsource.server.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.Api.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Restoring an NDJSON export ({@code POST .../events?mode=restore}, docs/rest.md): the copy keeps
 * every revision and recorded time, so its export is the same bytes and time travel answers the
 * same.
 */
class RestoreTest extends ServerTestBase {
  String source;

  @BeforeEach
  void source() {
    source = api.createDatabase();
  }

  Response export(String db) {
    Response r = api.get("/api/v1/databases/" + db + "/events", "Accept", "application/x-ndjson");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r;
  }

  Response restore(String db, String body) {
    return api.post(
        "/api/v1/databases/" + db + "/events?mode=restore", "application/x-ndjson", body);
  }

  /** Several multi-event transactions at distinct times, with every kind of data and attribute. */
  void fill(String db) {
    api.append(
        db,
        event("o1", "/shop", "OrderPlaced", "order-1", "\"tags\":\"order:1,customer:c7\""),
        event("o2", "/shop", "OrderPlaced", "order-2", "\"time\":\"2024-01-05T09:00:00.5+02:00\""),
        event("o3", "/shop", "Note", null, "\"datacontenttype\":\"text/plain\",\"data\":\"hi\""));
    api.append(
        db,
        event("p1", "/pay", "Paid", "order-1", "\"data\":{\"amount\":12.50,\"currency\":\"EUR\"}"),
        event("p2", "/pay", "Receipt", "order-1", "\"data_base64\":\"AAEC/w==\",\"priority\":3"));
    api.append(db, event("s1", "/ship", "Shipped", "order-1", "\"express\":true"));
    var bulk = new StringBuilder(); // three more transactions: 25 + 25 + 10 events
    for (int i = 0; i < 60; i++) {
      bulk.append(event("b" + i, "/bulk", "Loaded", "item-" + i)).append('\n');
    }
    Response r =
        api.post("/api/v1/databases/" + db + "/events", "application/x-ndjson", bulk.toString());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    api.append(db, event("z1", "/shop", "OrderClosed", "order-1"), event("z2", "/shop", "X", null));
  }

  long asOf(String db, Instant time) {
    Response r =
        api.get(
            "/api/v1/databases/"
                + db
                + "/events?limit=1000&as_of_transaction_time="
                + Api.encode(time.toString()));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().get("revision").longValue();
  }

  @Test
  void an_export_restored_into_a_new_database_exports_the_same_bytes_and_time_travels_the_same() {
    fill(source);
    byte[] exported = export(source).body();
    List<JsonNode> lines = export(source).lines();
    assertThat(lines).hasSize(68);
    var times = new TreeSet<Instant>();
    lines.forEach(e -> times.add(Instant.parse(e.get("recordedtime").stringValue())));
    assertThat(times.size()).isGreaterThanOrEqualTo(4); // several transactions, distinct times

    String copy = api.createDatabase();
    Response r = restore(copy, new String(exported, StandardCharsets.UTF_8));

    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("event_count").longValue()).isEqualTo(68);
    assertThat(r.json().get("first_revision").longValue()).isEqualTo(1);
    assertThat(r.json().get("revision").longValue()).isEqualTo(68);
    assertThat(export(copy).body()).isEqualTo(exported);
    JsonNode sourceInfo = api.get("/api/v1/databases/" + source).json();
    JsonNode copyInfo = api.get("/api/v1/databases/" + copy).json();
    assertThat(copyInfo.get("revision")).isEqualTo(sourceInfo.get("revision"));
    assertThat(copyInfo.get("revision_time")).isEqualTo(sourceInfo.get("revision_time"));
    for (Instant t : times) {
      for (Instant probe : List.of(t.minusNanos(1), t, t.plusNanos(1))) {
        assertThat(asOf(copy, probe)).as("as of %s", probe).isEqualTo(asOf(source, probe));
      }
    }
    // the copy takes new appends after the restored head, at the server's time
    JsonNode next = api.append(copy, event("n1", "/shop", "OrderPlaced", "order-3"));
    assertThat(next.get("first_revision").longValue()).isEqualTo(69);
    assertThat(Instant.parse(next.get("recorded_time").stringValue()))
        .isAfterOrEqualTo(times.last());
  }

  @Test
  void events_sharing_a_recorded_time_stay_together_split_only_at_the_batch_limit() {
    String t = "2001-02-03T04:05:06.123456789Z";
    var body = new StringBuilder();
    for (int i = 1; i <= 30; i++) {
      body.append(exported(i, "same-" + i, t)).append('\n');
    }
    body.append(exported(31, "later", "2001-02-03T04:05:07Z")).append('\n');
    String copy = api.createDatabase();
    Response r = restore(copy, body.toString());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    List<JsonNode> events = export(copy).lines();
    assertThat(events).hasSize(31);
    assertThat(events.subList(0, 30))
        .allSatisfy(e -> assertThat(e.get("recordedtime").stringValue()).isEqualTo(t));
    assertThat(asOf(copy, Instant.parse(t))).isEqualTo(30);
    assertThat(asOf(copy, Instant.parse(t).minusNanos(1))).isZero();
    assertThat(api.get("/api/v1/databases/" + copy).json().get("revision_time").stringValue())
        .isEqualTo("2001-02-03T04:05:07Z");
  }

  static String exported(long revision, String id, String recordedTime) {
    return event(
        id,
        "/restore",
        "Restored",
        "s",
        "\"revision\":" + revision + ",\"recordedtime\":\"" + recordedTime + "\"");
  }

  @Nested
  class Refuses {
    @Test
    void a_database_that_holds_events_with_409_and_stores_nothing() {
      api.append(source, event("x", "/s", "T", null));
      JsonNode p =
          restore(source, exported(1, "a", "2020-01-01T00:00:00Z") + "\n")
              .problem(409, "database_not_empty");
      assertThat(p.get("revision").longValue()).isEqualTo(1);
      assertThat(p.get("detail").stringValue()).contains("needs an empty database");
      assertThat(api.revision(source)).isEqualTo(1);
    }

    @Test
    void revisions_that_do_not_run_from_1_without_gaps_naming_the_line() {
      String body =
          exported(1, "a", "2020-01-01T00:00:00Z")
              + "\n"
              + exported(3, "b", "2020-01-01T00:00:01Z")
              + "\n";
      JsonNode p = restore(source, body).problem(400, "restore_out_of_order");
      assertThat(p.get("line").intValue()).isEqualTo(2);
      assertThat(p.get("attribute").stringValue()).isEqualTo("revision");
      assertThat(p.get("expected_revision").longValue()).isEqualTo(2);
      assertThat(p.get("actual_revision").longValue()).isEqualTo(3);
      assertThat(api.revision(source)).isZero();
      restore(source, exported(2, "a", "2020-01-01T00:00:00Z") + "\n")
          .problem(400, "restore_out_of_order");
    }

    @Test
    void recorded_times_that_go_back_naming_the_line() {
      String body =
          exported(1, "a", "2020-01-01T00:00:01Z")
              + "\n"
              + exported(2, "b", "2020-01-01T00:00:00.999999999Z")
              + "\n";
      JsonNode p = restore(source, body).problem(400, "restore_out_of_order");
      assertThat(p.get("line").intValue()).isEqualTo(2);
      assertThat(p.get("attribute").stringValue()).isEqualTo("recordedtime");
      assertThat(api.revision(source)).isZero();
    }

    @Test
    void lines_without_the_server_attributes() {
      JsonNode p =
          restore(source, event("a", "/s", "T", null) + "\n").problem(400, "missing_attribute");
      assertThat(p.get("line").intValue()).isEqualTo(1);
      assertThat(p.get("attribute").stringValue()).isEqualTo("revision");
      JsonNode bad =
          restore(source, exported(1, "a", "yesterday") + "\n").problem(400, "invalid_attribute");
      assertThat(bad.get("attribute").stringValue()).isEqualTo("recordedtime");
    }

    @Test
    void an_export_without_mode_restore_as_before() {
      JsonNode p =
          api.post(
                  "/api/v1/databases/" + source + "/events",
                  "application/x-ndjson",
                  exported(1, "a", "2020-01-01T00:00:00Z") + "\n")
              .problem(400, "reserved_attribute");
      assertThat(p.get("detail").stringValue()).contains("mode=restore");
    }

    @Test
    void an_unknown_mode_and_a_restore_that_is_not_ndjson() {
      JsonNode p =
          api.post(
                  "/api/v1/databases/" + source + "/events?mode=replace",
                  "application/x-ndjson",
                  exported(1, "a", "2020-01-01T00:00:00Z"))
              .problem(400, "invalid_query");
      assertThat(p.get("parameter").stringValue()).isEqualTo("mode");
      api.post(
              "/api/v1/databases/" + source + "/events?mode=restore",
              "application/cloudevents+json",
              event("a", "/s", "T", null))
          .problem(415, "unsupported_media_type");
      assertThat(api.revision(source)).isZero();
    }
  }

  @Test
  void keeps_the_ordinary_bulk_load_result_shape() {
    var body = new ArrayList<String>();
    body.add(exported(1, "a", "2020-01-01T00:00:00Z"));
    Response r = restore(source, String.join("\n", body));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().propertyNames())
        .containsExactly("event_count", "first_revision", "revision");
  }
}
