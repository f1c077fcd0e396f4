package io.evidentsource.server;

import static io.evidentsource.server.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.Api.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class TransactionApiTest extends ServerTestBase {

  Response transact(String db, String body) {
    return api.postJson("/api/v1/databases/" + db + "/transactions", body);
  }

  static String tx(String... events) {
    return "{\"events\":[" + String.join(",", events) + "]}";
  }

  static String txWith(String conditions, String... events) {
    return "{\"events\":[" + String.join(",", events) + "],\"conditions\":[" + conditions + "]}";
  }

  static String anyMax(long revision) {
    return "{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":" + revision + "}";
  }

  @Nested
  class committing {
    @Test
    void returns_201_with_the_transaction_result() {
      String db = api.createDatabase();
      api.append(db, event("0", "s", "t", null));
      Instant before = Instant.now();
      Response r = transact(db, tx(event("1", "s", "t", "a"), event("2", "s", "t", "b")));
      assertThat(r.status()).isEqualTo(201);
      JsonNode result = r.json();
      assertThat(result.propertyNames())
          .containsExactly(
              "transaction_id",
              "first_revision",
              "revision",
              "event_count",
              "recorded_time",
              "duplicate");
      assertThat(UUID.fromString(result.get("transaction_id").stringValue())).isNotNull();
      assertThat(result.get("first_revision").longValue()).isEqualTo(2);
      assertThat(result.get("revision").longValue()).isEqualTo(3);
      assertThat(result.get("event_count").intValue()).isEqualTo(2);
      assertThat(result.get("duplicate").booleanValue()).isFalse();
      Instant recorded = Instant.parse(result.get("recorded_time").stringValue());
      assertThat(recorded).isAfterOrEqualTo(before.minusSeconds(1));
      assertThat(api.revision(db)).isEqualTo(3);
    }

    @Test
    void stored_events_carry_revision_and_recordedtime_at_full_precision() {
      String db = api.createDatabase();
      JsonNode result = api.append(db, event("1", "s", "t", null));
      JsonNode stored = api.get("/api/v1/databases/" + db + "/events/1").json();
      assertThat(stored.get("revision").isIntegralNumber()).isTrue();
      assertThat(stored.get("revision").longValue()).isEqualTo(1);
      assertThat(stored.get("recordedtime").stringValue())
          .isEqualTo(result.get("recorded_time").stringValue());
    }

    @Test
    void a_retry_with_the_same_transaction_id_returns_the_original_result_with_200() {
      String db = api.createDatabase();
      String id = UUID.randomUUID().toString();
      String body =
          "{\"transaction_id\":\"" + id + "\",\"events\":[" + event("1", "s", "t", null) + "]}";
      Response first = transact(db, body);
      assertThat(first.status()).isEqualTo(201);
      Response retry = transact(db, body);
      assertThat(retry.status()).isEqualTo(200);
      assertThat(retry.json().get("duplicate").booleanValue()).isTrue();
      assertThat(retry.json().get("transaction_id").stringValue()).isEqualTo(id);
      assertThat(retry.json().get("revision")).isEqualTo(first.json().get("revision"));
      assertThat(retry.json().get("recorded_time")).isEqualTo(first.json().get("recorded_time"));
      assertThat(api.revision(db)).isEqualTo(1);
    }

    @Test
    void a_guarded_retry_is_not_reported_as_a_conflict() {
      String db = api.createDatabase();
      String id = UUID.randomUUID().toString();
      String body =
          "{\"transaction_id\":\""
              + id
              + "\",\"events\":["
              + event("1", "s", "t", null)
              + "],\"conditions\":["
              + anyMax(0)
              + "]}";
      assertThat(transact(db, body).status()).isEqualTo(201);
      Response retry = transact(db, body); // max(any, 0) no longer holds, but it is a retry
      assertThat(retry.status()).isEqualTo(200);
      assertThat(retry.json().get("duplicate").booleanValue()).isTrue();
    }

    @Test
    void refuses_a_transaction_id_that_is_not_a_uuid() {
      String db = api.createDatabase();
      JsonNode p =
          transact(
                  db, "{\"transaction_id\":\"42\",\"events\":[" + event("1", "s", "t", null) + "]}")
              .problem(400, "malformed_request");
      assertThat(p.get("path").stringValue()).isEqualTo("$.transaction_id");
    }

    @Test
    void refuses_unknown_members_and_missing_events() {
      String db = api.createDatabase();
      assertThat(
              transact(db, "{\"event\":[]}")
                  .problem(400, "malformed_request")
                  .get("path")
                  .stringValue())
          .isEqualTo("$.event");
      assertThat(transact(db, "{}").problem(400, "malformed_request").get("path").stringValue())
          .isEqualTo("$.events");
      transact(db, "{\"events\":[]}").problem(400, "empty_transaction");
      assertThat(api.revision(db)).isZero();
    }

    @Test
    void an_unknown_database_is_404() {
      transact("no-such-db", tx(event("1", "s", "t", null))).problem(404, "database_not_found");
    }
  }

  @Nested
  class conditions {
    @Test
    void a_failed_condition_is_409_naming_each_condition_and_its_actual_revision() {
      String db = api.createDatabase();
      api.append(db, event("1", "orders", "OrderPlaced", "order-1"));
      api.append(db, event("2", "orders", "OrderPaid", "order-1"));
      String subjectMax =
          "{\"type\":\"max\",\"selector\":{\"type\":\"equals\",\"attr\":{\"subject\":\"order-1\"}},"
              + "\"revision\":1}";
      String holds =
          "{\"type\":\"min\",\"selector\":{\"type\":\"equals\",\"attr\":{\"event_type\":\"OrderPlaced\"}},"
              + "\"revision\":1}";
      String range =
          "{\"type\":\"range\",\"selector\":{\"type\":\"equals\",\"attr\":{\"subject\":null}},"
              + "\"start\":1,\"end\":5}";
      Response r =
          transact(
              db,
              txWith(subjectMax + "," + holds + "," + range, event("3", "orders", "X", "order-1")));
      JsonNode p = r.problem(409, "condition_failed");
      JsonNode failed = p.get("failed_conditions");
      assertThat(failed).hasSize(2);
      assertThat(failed.get(0).get("condition")).isEqualTo(Api.JSON.readTree(subjectMax));
      assertThat(failed.get(0).get("actual_revision").longValue()).isEqualTo(2);
      assertThat(failed.get(1).get("condition")).isEqualTo(Api.JSON.readTree(range));
      assertThat(failed.get(1).get("actual_revision").longValue()).isZero();
      assertThat(p.get("head_revision").longValue()).isEqualTo(2);
      assertThat(api.revision(db)).isEqualTo(2);
    }

    @Test
    void conditions_that_hold_let_the_append_through() {
      String db = api.createDatabase();
      api.append(db, event("1", "orders", "OrderPlaced", "order-1"));
      String conditions =
          anyMax(1)
              + ",{\"type\":\"min\",\"selector\":{\"type\":\"starts_with\",\"attr\":{\"subject\":\"order-\"}},\"revision\":1}"
              + ",{\"type\":\"range\",\"selector\":{\"type\":\"equals\",\"attr\":{\"tag\":\"x\"}},\"start\":0,\"end\":0}";
      assertThat(
              transact(db, txWith(conditions, event("2", "orders", "OrderPaid", "order-1")))
                  .status())
          .isEqualTo(201);
    }

    @Test
    void an_invalid_condition_names_its_json_path() {
      String db = api.createDatabase();
      JsonNode p =
          transact(
                  db,
                  txWith(
                      anyMax(0)
                          + ",{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":-1}",
                      event("1", "s", "t", null)))
              .problem(400, "invalid_condition");
      assertThat(p.get("path").stringValue()).isEqualTo("$.conditions[1].revision");
    }

    @Test
    void an_invalid_selector_names_its_json_path() {
      String db = api.createDatabase();
      JsonNode p =
          transact(
                  db,
                  txWith(
                      "{\"type\":\"max\",\"selector\":{\"type\":\"or\",\"selectors\":[{\"type\":\"equals\",\"attr\":{\"colour\":\"red\"}}]},\"revision\":0}",
                      event("1", "s", "t", null)))
              .problem(400, "invalid_selector");
      assertThat(p.get("path").stringValue())
          .isEqualTo("$.conditions[0].selector.selectors[0].attr.colour");
    }
  }

  @Nested
  class validation {
    String db;

    @org.junit.jupiter.api.BeforeEach
    void database() {
      db = api.createDatabase();
    }

    JsonNode refused(int status, String code, String... events) {
      JsonNode p = transact(db, tx(events)).problem(status, code);
      assertThat(api.revision(db)).as("nothing stored").isZero();
      return p;
    }

    @Test
    void missing_attributes_name_the_attribute_and_the_event_index() {
      JsonNode p =
          refused(
              400,
              "missing_attribute",
              event("1", "s", "t", null),
              "{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"s\"}");
      assertThat(p.get("attribute").stringValue()).isEqualTo("type");
      assertThat(p.get("index").intValue()).isEqualTo(1);
    }

    @Test
    void other_spec_versions_are_unsupported() {
      refused(400, "unsupported_specversion", event("1", "s", "t", null).replace("1.0", "0.3"));
    }

    @Test
    void invalid_attributes_are_named() {
      JsonNode p =
          refused(400, "invalid_attribute", event("1", "s", "t", null, "\"time\":\"noon\""));
      assertThat(p.get("attribute").stringValue()).isEqualTo("time");
      refused(400, "invalid_attribute", event("1", "s", "t", null, "\"ext\":1.5"));
      refused(400, "invalid_attribute", event("", "s", "t", null));
    }

    @Test
    void server_attributes_are_reserved() {
      for (String member :
          new String[] {"\"revision\":7", "\"recordedtime\":\"2024-01-01T00:00:00Z\""}) {
        JsonNode p = refused(400, "reserved_attribute", event("1", "s", "t", null, member));
        assertThat(p.get("attribute").stringValue()).isIn("revision", "recordedtime");
      }
    }

    @Test
    void extension_names_follow_the_naming_rule() {
      refused(400, "invalid_extension_name", event("1", "s", "t", null, "\"Bad_Name\":\"x\""));
    }

    @Test
    void tags_are_checked() {
      refused(400, "invalid_tag", event("1", "s", "t", null, "\"tags\":\"a,,b\""));
    }

    @Test
    void events_over_the_size_limit_are_413_naming_the_limit() {
      String big = "\"data\":\"" + "x".repeat(70_000) + "\"";
      JsonNode p = refused(413, "event_too_large", event("1", "s", "t", null, big));
      assertThat(p.get("limit").intValue()).isEqualTo(65536);
      assertThat(p.get("actual").intValue()).isGreaterThan(65536);
      assertThat(p.get("index").intValue()).isZero();
    }

    @Test
    void batches_over_the_limit_are_413_naming_the_limit() {
      var events = new ArrayList<String>();
      for (int i = 0; i < 26; i++) {
        events.add(event("e" + i, "s", "t", null));
      }
      JsonNode p = refused(413, "batch_too_large", events.toArray(String[]::new));
      assertThat(p.get("limit").intValue()).isEqualTo(25);
      assertThat(p.get("actual").intValue()).isEqualTo(26);
    }

    @Test
    void attributes_over_the_limit_are_413_counting_utf8_bytes() {
      String subject = "é".repeat(513); // 513 characters, 1026 bytes
      JsonNode p = refused(413, "attribute_too_long", event("1", "s", "t", subject));
      assertThat(p.get("limit").intValue()).isEqualTo(1024);
      assertThat(p.get("actual").intValue()).isEqualTo(1026);
      assertThat(p.get("attribute").stringValue()).isEqualTo("subject");
    }

    @Test
    void bodies_over_the_request_limit_are_413_naming_the_limit() {
      String filler = "\"x\":\"" + "y".repeat(ServerTest.MAX_REQUEST_BYTES) + "\"";
      JsonNode p = transact(db, "{" + filler + "}").problem(413, "body_too_large");
      assertThat(p.get("limit").longValue()).isEqualTo(ServerTest.MAX_REQUEST_BYTES);
      assertThat(p.get("limit_name").stringValue()).isEqualTo("evidentsource.max-request-bytes");
      assertThat(p.get("detail").stringValue()).contains("evidentsource.max-request-bytes");
      assertThat(api.revision(db)).isZero();
    }

    @Test
    void duplicate_ids_are_409_within_a_transaction_and_against_the_database() {
      refused(409, "duplicate_event_id", event("1", "s", "t", null), event("1", "s", "u", null));
      api.append(db, event("1", "s", "t", null));
      JsonNode p =
          transact(db, tx(event("2", "s", "t", null), event("1", "s", "t", null)))
              .problem(409, "duplicate_event_id");
      assertThat(p.get("existing_revision").longValue()).isEqualTo(1);
      assertThat(p.get("index").intValue()).isEqualTo(1);
      assertThat(api.revision(db)).isEqualTo(1);
      // the same id in another source is a different event
      api.append(db, event("1", "other", "t", null));
    }

    @Test
    void one_bad_event_in_a_batch_stores_nothing() {
      refused(
          400,
          "missing_attribute",
          event("1", "s", "t", null),
          event("2", "s", "t", null),
          "{\"specversion\":\"1.0\",\"id\":\"3\",\"type\":\"t\"}");
    }
  }
}
