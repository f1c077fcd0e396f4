package io.evidentsource.server;

import static io.evidentsource.server.Api.encode;
import static io.evidentsource.server.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.Api.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class QueryApiTest extends ServerTestBase {
  String db;

  @BeforeEach
  void fixture() {
    db = api.createDatabase();
    api.append(
        db,
        event(
            "1",
            "orders",
            "OrderPlaced",
            "order-1",
            "\"tags\":\"customer:c1\",\"time\":\"2024-01-03T00:00:00Z\""),
        event(
            "2",
            "orders",
            "OrderPlaced",
            "order-10",
            "\"tags\":\"customer:c2\",\"time\":\"2024-01-01T00:00:00Z\""),
        event(
            "3",
            "payments",
            "PaymentReceived",
            "order-1",
            "\"tags\":\"customer:c1\",\"time\":\"2024-01-02T00:00:00Z\""),
        event("4", "orders", "OrderShipped", null, "\"time\":\"2024-01-04T00:00:00+02:00\""));
  }

  String path() {
    return "/api/v1/databases/" + db + "/events";
  }

  List<String> ids(String query) {
    var out = new ArrayList<String>();
    api.events(db, query).forEach(e -> out.add(e.get("id").stringValue()));
    return out;
  }

  @Nested
  class filters {
    @Test
    void no_filter_returns_everything_in_revision_order() {
      Response r = api.get(path());
      assertThat(r.status()).isEqualTo(200);
      JsonNode page = r.json();
      assertThat(page.propertyNames()).containsExactly("revision", "events", "next_page_token");
      assertThat(page.get("revision").longValue()).isEqualTo(4);
      assertThat(page.get("next_page_token").isNull()).isTrue();
      assertThat(r.header("EvidentSource-Revision")).isEqualTo("4");
      assertThat(ids("")).containsExactly("1", "2", "3", "4");
    }

    @Test
    void simple_filters_match_exactly_and_combine_with_and() {
      assertThat(ids("stream=orders")).containsExactly("1", "2", "4");
      assertThat(ids("subject=order-1")).containsExactly("1", "3");
      assertThat(ids("type=OrderPlaced")).containsExactly("1", "2");
      assertThat(ids("tag=customer%3Ac1")).containsExactly("1", "3");
      assertThat(ids("stream=orders&subject=order-1")).containsExactly("1");
      assertThat(ids("stream=orders&type=OrderPlaced&tag=customer%3Ac2")).containsExactly("2");
    }

    @Test
    void repeating_a_filter_means_any_of_its_values() {
      assertThat(ids("type=OrderPlaced&type=OrderShipped")).containsExactly("1", "2", "4");
      assertThat(ids("type=OrderPlaced&type=OrderShipped&subject=order-10")).containsExactly("2");
    }

    @Test
    void the_textual_selector_supports_like_is_null_and_boolean_logic() {
      assertThat(ids("q=" + encode("subject LIKE 'order-1%'"))).containsExactly("1", "2", "3");
      assertThat(ids("q=" + encode("subject = 'order-1'"))).containsExactly("1", "3");
      assertThat(ids("q=" + encode("subject IS NULL"))).containsExactly("4");
      assertThat(
              ids(
                  "q="
                      + encode(
                          "stream = 'orders' AND (type = 'OrderShipped' OR tag = 'customer:c2')")))
          .containsExactly("2", "4");
      assertThat(ids("stream=payments&q=" + encode("ANY"))).containsExactly("3");
    }

    @Test
    void a_query_string_that_does_not_decode_is_400_not_a_wider_query() {
      api.get(path() + "?stream=%FF").problem(400, "invalid_query"); // not UTF-8
      api.get(path() + "?stream=orders&q=%C3%28").problem(400, "invalid_query");
    }

    @Test
    void a_selector_syntax_error_is_400_with_position_expected_and_found() {
      JsonNode p =
          api.get(path() + "?q=" + encode("stream = 'a' AND")).problem(400, "invalid_selector");
      assertThat(p.get("position").intValue()).isEqualTo(17);
      assertThat(p.get("expected").stringValue()).isNotBlank();
      assertThat(p.get("found").stringValue()).isEqualTo("end of input");
      assertThat(p.get("parameter").stringValue()).isEqualTo("q");
    }
  }

  @Nested
  class snapshots_and_ranges {
    @Test
    void reads_at_a_revision() {
      assertThat(ids("revision=2")).containsExactly("1", "2");
      Response r = api.get(path() + "?revision=2");
      assertThat(r.json().get("revision").longValue()).isEqualTo(2);
      api.get(path() + "?revision=99").problem(400, "invalid_query");
    }

    @Test
    void reads_as_of_a_transaction_time() throws Exception {
      JsonNode later = api.append(db, event("5", "orders", "OrderPlaced", "order-5"));
      Instant first =
          Instant.parse(api.get(path() + "/1").json().get("recordedtime").stringValue());
      assertThat(ids("as_of_transaction_time=" + encode(first.toString())))
          .containsExactly("1", "2", "3", "4");
      assertThat(ids("as_of_transaction_time=" + encode(later.get("recorded_time").stringValue())))
          .contains("5");
      assertThat(ids("as_of_transaction_time=2000-01-01T00:00:00Z")).isEmpty();
      api.get(path() + "?as_of_transaction_time=yesterday").problem(400, "invalid_query");
      api.get(path() + "?revision=1&as_of_transaction_time=2000-01-01T00:00:00Z")
          .problem(400, "invalid_query");
    }

    @Test
    void filters_by_effective_time_comparing_instants() {
      // event 4 is at 2024-01-04T00:00:00+02:00 = 2024-01-03T22:00:00Z
      assertThat(ids("as_of_effective_time=2024-01-02T00:00:00Z")).containsExactly("2", "3");
      assertThat(ids("as_of_effective_time=" + encode("2024-01-03T23:00:00+01:00")))
          .containsExactly("1", "2", "3", "4");
      assertThat(ids("as_of_effective_time=2024-01-03T21:59:59Z")).containsExactly("1", "2", "3");
    }

    @Test
    void orders_by_effective_time_and_goes_backward() {
      assertThat(ids("order=effective_time")).containsExactly("2", "3", "1", "4");
      assertThat(ids("order=effective_time&direction=backward"))
          .containsExactly("4", "1", "3", "2");
      assertThat(ids("direction=backward")).containsExactly("4", "3", "2", "1");
    }

    @Test
    void bounds_revisions() {
      assertThat(ids("from_revision=2&to_revision=3")).containsExactly("2", "3");
      api.get(path() + "?from_revision=0").problem(400, "invalid_query");
    }

    @Test
    void invalid_parameters_are_named() {
      String[][] cases = {
        {"direction=sideways", "direction"},
        {"order=random", "order"},
        {"limit=0", "limit"},
        {"limit=1001", "limit"},
        {"limit=ten", "limit"},
        {"revision=-1", "revision"},
        {"subjcet=x", "subjcet"},
        {"limit=1&limit=2", "limit"},
      };
      for (String[] c : cases) {
        JsonNode p = api.get(path() + "?" + c[0]).problem(400, "invalid_query");
        assertThat(p.get("parameter").stringValue()).as(c[0]).isEqualTo(c[1]);
      }
    }
  }

  @Nested
  class paging {
    @Test
    void pages_through_with_limit_and_page_token_pinned_to_the_first_snapshot() {
      Response first = api.get(path() + "?limit=3");
      JsonNode page1 = first.json();
      assertThat(page1.get("events")).hasSize(3);
      String token = page1.get("next_page_token").stringValue();
      assertThat(token).isNotBlank();
      api.append(db, event("late", "orders", "OrderPlaced", "order-late"));

      JsonNode page2 = api.get(path() + "?limit=3&page_token=" + encode(token)).json();
      assertThat(page2.get("revision").longValue()).isEqualTo(4);
      assertThat(page2.get("events")).hasSize(1);
      assertThat(page2.get("events").get(0).get("id").stringValue()).isEqualTo("4");
      assertThat(page2.get("next_page_token").isNull()).isTrue();
      // a new first page sees the new event
      assertThat(ids("")).contains("late");
    }

    @Test
    void a_later_page_may_repeat_the_first_pages_snapshot_but_not_name_another() {
      String token =
          api.get(path() + "?revision=3&limit=1").json().get("next_page_token").stringValue();
      JsonNode same = api.get(path() + "?revision=3&limit=1&page_token=" + encode(token)).json();
      assertThat(same.get("revision").longValue()).isEqualTo(3);
      assertThat(same.get("events").get(0).get("id").stringValue()).isEqualTo("2");
      api.get(path() + "?revision=4&limit=1&page_token=" + encode(token))
          .problem(400, "invalid_page_token");
      api.get(path() + "?as_of_transaction_time=2000-01-01T00:00:00Z&page_token=" + encode(token))
          .problem(400, "invalid_page_token");
      JsonNode both =
          api.get(path() + "?revision=3&as_of_transaction_time=2000-01-01T00:00:00Z")
              .problem(400, "invalid_query");
      assertThat(both.get("detail").stringValue())
          .isEqualTo("give either 'revision' or 'as_of_transaction_time', not both");
      assertThat(both.get("parameter").stringValue()).isEqualTo("revision");
    }

    @Test
    void later_pages_as_of_a_transaction_time_stay_at_its_snapshot() {
      String recorded =
          api.get(path() + "/2").json().get("recordedtime").stringValue(); // all four share it
      String first = "?as_of_transaction_time=" + encode(recorded) + "&limit=3";
      JsonNode page1 = api.get(path() + first).json();
      String token = page1.get("next_page_token").stringValue();
      api.append(db, event("late", "orders", "OrderPlaced", "order-late"));
      JsonNode page2 = api.get(path() + first + "&page_token=" + encode(token)).json();
      assertThat(page2.get("revision").longValue()).isEqualTo(4);
      assertThat(page2.get("events")).hasSize(1);
      assertThat(page2.get("next_page_token").isNull()).isTrue();
      JsonNode withoutTime = api.get(path() + "?limit=3&page_token=" + encode(token)).json();
      assertThat(withoutTime.get("events").get(0).get("id").stringValue()).isEqualTo("4");
    }

    @Test
    void a_token_from_another_query_or_garbage_is_refused() {
      String token = api.get(path() + "?limit=1").json().get("next_page_token").stringValue();
      api.get(path() + "?limit=1&stream=orders&page_token=" + encode(token))
          .problem(400, "invalid_page_token");
      api.get(path() + "?page_token=garbage").problem(400, "invalid_page_token");
    }
  }

  @Nested
  class ndjson {
    @Test
    void streams_every_matching_event_one_per_line_with_the_snapshot_revision() {
      Response r = api.get(path() + "?stream=orders", "Accept", "application/x-ndjson");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.contentType()).startsWith("application/x-ndjson");
      assertThat(r.header("EvidentSource-Revision")).isEqualTo("4");
      List<JsonNode> lines = r.lines();
      assertThat(lines).extracting(e -> e.get("id").stringValue()).containsExactly("1", "2", "4");
      assertThat(r.text()).endsWith("\n");
      assertThat(lines.get(0).get("revision").longValue()).isEqualTo(1);
    }

    @Test
    void honours_limit_only_when_given_and_may_exceed_the_page_maximum() {
      for (int batch = 0; batch < 50; batch++) {
        var events = new ArrayList<String>();
        for (int i = 0; i < 25; i++) {
          events.add(event("m" + batch + "-" + i, "many", "T", null));
        }
        api.append(db, events.toArray(String[]::new));
      }
      Response all = api.get(path() + "?stream=many", "Accept", "application/x-ndjson");
      assertThat(all.lines()).hasSize(1250);
      Response some = api.get(path() + "?stream=many&limit=1100", "Accept", "application/x-ndjson");
      assertThat(some.lines()).hasSize(1100);
      api.get(path() + "?limit=1100").problem(400, "invalid_query");
    }

    @Test
    void errors_before_streaming_are_problem_details() {
      api.get(path() + "?q=" + encode("nonsense"), "Accept", "application/x-ndjson")
          .problem(400, "invalid_selector");
      api.get("/api/v1/databases/nope-nope/events", "Accept", "application/x-ndjson")
          .problem(404, "database_not_found");
    }

    @Test
    void unacceptable_media_types_are_406() {
      api.get(path(), "Accept", "text/html").problem(406, "not_acceptable");
      assertThat(api.get(path(), "Accept", "text/html, application/json;q=0.5").status())
          .isEqualTo(200);
      assertThat(api.get(path(), "Accept", "*/*").contentType()).startsWith("application/json");
    }
  }

  @Nested
  class by_json_selector {
    Response query(String body, String... headers) {
      return api.post(path() + "/query", "application/json", body, headers);
    }

    @Test
    void answers_like_the_get() {
      Response r =
          query(
              "{\"selector\":{\"type\":\"and\",\"selectors\":["
                  + "{\"type\":\"equals\",\"attr\":{\"stream\":\"orders\"}},"
                  + "{\"type\":\"starts_with\",\"attr\":{\"subject\":\"order-1\"}}]},"
                  + "\"limit\":1}");
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      JsonNode page = r.json();
      assertThat(page.get("events")).hasSize(1);
      assertThat(page.get("events").get(0).get("id").stringValue()).isEqualTo("1");
      String token = page.get("next_page_token").stringValue();
      JsonNode next =
          query(
                  "{\"selector\":{\"type\":\"and\",\"selectors\":["
                      + "{\"type\":\"equals\",\"attr\":{\"stream\":\"orders\"}},"
                      + "{\"type\":\"starts_with\",\"attr\":{\"subject\":\"order-1\"}}]},"
                      + "\"limit\":1,\"page_token\":\""
                      + token
                      + "\"}")
              .json();
      assertThat(next.get("events").get(0).get("id").stringValue()).isEqualTo("2");
    }

    @Test
    void supports_every_query_member() {
      Response r =
          query(
              "{\"selector\":{\"type\":\"equals\",\"attr\":{\"subject\":null}},"
                  + "\"revision\":4,\"as_of_effective_time\":\"2025-01-01T00:00:00Z\","
                  + "\"from_revision\":1,\"to_revision\":4,\"direction\":\"backward\","
                  + "\"order\":\"effective_time\",\"limit\":10}");
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.json().get("events").get(0).get("id").stringValue()).isEqualTo("4");
      Response s =
          query(
              "{\"selector\":{\"type\":\"any\"},\"as_of_transaction_time\":\"2000-01-01T00:00:00Z\"}");
      assertThat(s.json().get("events")).isEmpty();
    }

    @Test
    void streams_ndjson_too() {
      Response r = query("{\"selector\":{\"type\":\"any\"}}", "Accept", "application/x-ndjson");
      assertThat(r.lines()).hasSize(4);
      assertThat(r.header("EvidentSource-Revision")).isEqualTo("4");
    }

    @Test
    void invalid_selectors_and_members_are_named() {
      JsonNode p =
          query("{\"selector\":{\"type\":\"equals\",\"attr\":{\"stream\":null}}}")
              .problem(400, "invalid_selector");
      assertThat(p.get("path").stringValue()).isEqualTo("$.selector.attr.stream");
      assertThat(query("{}").problem(400, "invalid_selector").get("path").stringValue())
          .isEqualTo("$.selector");
      assertThat(
              query("{\"selector\":{\"type\":\"any\"},\"limt\":1}")
                  .problem(400, "invalid_query")
                  .get("parameter")
                  .stringValue())
          .isEqualTo("limt");
      query("{\"selector\":{\"type\":\"any\"},\"limit\":\"1\"}").problem(400, "invalid_query");
      query("{\"selector\":").problem(400, "malformed_json");
      api.post(path() + "/query", "text/plain", "{}").problem(415, "unsupported_media_type");
    }
  }

  @Nested
  class one_event {
    @Test
    void reads_an_event_by_revision_as_a_cloudevent() {
      Response r = api.get(path() + "/3");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.contentType()).isEqualTo("application/cloudevents+json");
      assertThat(r.json().get("id").stringValue()).isEqualTo("3");
      assertThat(r.json().get("revision").longValue()).isEqualTo(3);
      assertThat(api.get(path() + "/3", "Accept", "application/json").contentType())
          .isEqualTo("application/json");
    }

    @Test
    void a_missing_revision_is_404_revision_not_found() {
      JsonNode p = api.get(path() + "/5").problem(404, "revision_not_found");
      assertThat(p.get("revision").longValue()).isEqualTo(5);
      api.get(path() + "/0").problem(404, "revision_not_found");
      api.get(path() + "/abc").problem(400, "invalid_query");
      api.get(path() + "/1", "Accept", "text/plain").problem(406, "not_acceptable");
    }
  }
}
