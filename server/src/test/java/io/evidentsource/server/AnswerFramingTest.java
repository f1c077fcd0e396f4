package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * JSON answers go out with their {@code Content-Length} in one write, not chunked
 * (docs/benchmarks.md#issue-17-the-rest-request-path); NDJSON streams stay chunked.
 */
class AnswerFramingTest extends ServerTestBase {

  @Test
  void a_transaction_result_has_its_content_length_and_is_not_chunked() {
    String db = api.createDatabase();
    Api.Response r =
        api.postJson(
            "/api/v1/databases/" + db + "/transactions",
            "{\"events\":[" + Api.event("e1", "https://x", "T", "s1") + "]}");

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.body().length));
    assertThat(r.header("Transfer-Encoding")).isNull();
    assertThat(r.json().get("revision").longValue()).isEqualTo(1);
  }

  @Test
  void a_page_of_events_has_its_content_length_and_its_revision_header() {
    String db = api.createDatabase();
    api.append(
        db, Api.event("e1", "https://x", "T", "s1"), Api.event("e2", "https://x", "T", "s2"));

    Api.Response r = api.get("/api/v1/databases/" + db + "/events?limit=1");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/json");
    assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.body().length));
    assertThat(r.header("EvidentSource-Revision")).isEqualTo("2");
    assertThat(r.json().get("events")).hasSize(1);
    assertThat(r.json().get("next_page_token").isString()).isTrue();
  }

  @Test
  void an_ndjson_query_streams_chunked_with_its_revision_header() {
    String db = api.createDatabase();
    api.append(
        db, Api.event("e1", "https://x", "T", "s1"), Api.event("e2", "https://x", "T", "s2"));

    Api.Response r =
        api.get("/api/v1/databases/" + db + "/events", "Accept", "application/x-ndjson");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/x-ndjson");
    assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
    assertThat(r.header("EvidentSource-Revision")).isEqualTo("2");
    assertThat(r.lines()).hasSize(2);
  }
}
