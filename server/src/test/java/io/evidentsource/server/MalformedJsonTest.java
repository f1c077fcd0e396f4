package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every endpoint that reads JSON answers malformed JSON with 400 {@code malformed_json} whose
 * detail says what is wrong in JSON's terms, never in the parser's (feature names, class names,
 * constraint settings), and stores nothing.
 */
class MalformedJsonTest extends ServerTestBase {
  /** Bodies broken in the ways Jackson describes with its internals, and what we say instead. */
  static final List<String[]> BODIES =
      List.of(
          new String[] {"{\"name\":NaN}", "JSON has no NaN or Infinity"},
          new String[] {"{\"name\":\"x\"} {\"name\":\"y\"}", "more content follows the JSON value"},
          new String[] {"// a comment\n{\"name\":\"x\"}", "JSON has no comments"},
          new String[] {"[".repeat(600) + "]".repeat(600), "maximum allowed (500)"},
          new String[] {"{\"name\":+1}", "does not allow numbers to have plus signs"},
          new String[] {"{\"name\":\"x\",\"name\":\"y\"}", "Duplicate Object property"},
          new String[] {"{\"name\":", "Unexpected end-of-input"});

  String db;

  @BeforeEach
  void setUp() {
    db = api.createDatabase();
    var boundary = "b" + UUID.randomUUID();
    assertThat(
            api.post(
                    "/api/v1/databases/" + db + "/state-changes",
                    "multipart/form-data; boundary=" + boundary,
                    ComponentApiTest.multipart(
                        boundary, "{\"state_change_name\":\"echo\"}", ComponentApiTest.ECHO))
                .status())
        .isEqualTo(201);
  }

  @Test
  void catalog() {
    check(body -> api.post("/api/v1/databases", "application/json", body));
  }

  @Test
  void transactions() {
    check(body -> api.post("/api/v1/databases/" + db + "/transactions", "application/json", body));
  }

  @Test
  void cloudevents_structured_and_batch_mode() {
    String events = "/api/v1/databases/" + db + "/events";
    check(body -> api.post(events, "application/cloudevents+json", body));
    check(body -> api.post(events, "application/cloudevents-batch+json", body));
  }

  @Test
  void cloudevents_binary_mode_json_data() {
    check(
        body ->
            api.post(
                "/api/v1/databases/" + db + "/events",
                "application/json",
                body,
                "ce-specversion",
                "1.0",
                "ce-id",
                "e1",
                "ce-source",
                "s",
                "ce-type",
                "t"));
  }

  @Test
  void ndjson_bulk_load() {
    check(
        body ->
            api.post(
                "/api/v1/databases/" + db + "/events",
                "application/x-ndjson",
                body.replace('\n', ' ')));
  }

  @Test
  void query_by_selector() {
    check(body -> api.post("/api/v1/databases/" + db + "/events/query", "application/json", body));
  }

  @Test
  void component_metadata() {
    check(
        body -> {
          var boundary = "b" + UUID.randomUUID();
          return api.post(
              "/api/v1/databases/" + db + "/state-views",
              "multipart/form-data; boundary=" + boundary,
              ComponentApiTest.multipart(boundary, body, ComponentApiTest.COUNTER));
        });
  }

  @Test
  void command_bodies_declared_as_json() {
    check(
        body ->
            api.post(
                "/api/v1/databases/" + db + "/state-changes/echo/commands",
                "application/json",
                body));
  }

  private void check(Function<String, Api.Response> send) {
    for (String[] body : BODIES) {
      Api.Response response = send.apply(body[0]);
      JsonNode problem = response.problem(400, "malformed_json");
      String detail = problem.get("detail").stringValue();
      assertThat(detail)
          .as("the answer to %s", body[0].length() > 40 ? body[0].substring(0, 40) : body[0])
          .contains(body[1])
          .doesNotContain("`")
          .doesNotContainIgnoringCase("feature")
          .doesNotContainIgnoringCase("jackson")
          .doesNotContain("JsonToken")
          .doesNotContain("StreamRead")
          .doesNotContain("Source:")
          .doesNotContain("REDACTED");
      assertThat(response.text().getBytes(StandardCharsets.UTF_8).length).isLessThan(2048);
    }
    assertThat(api.revision(db)).isZero();
  }
}
