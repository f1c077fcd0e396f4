package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ErrorHandlingTest {

  @Nested
  class spring_errors_over_http extends ServerTestBase {
    @Test
    void an_unknown_path_is_404_not_found() {
      JsonNode p = api.get("/api/v1/nothing-here").problem(404, "not_found");
      assertThat(p.get("instance").stringValue()).isEqualTo("/api/v1/nothing-here");
      // outside /api too ("/" itself redirects to the web UI: WebUiHostingTest)
      api.get("/nothing-here").problem(404, "not_found");
    }

    @Test
    void a_wrong_method_is_405_with_allow() {
      var r = api.send("PUT", "/api/v1/databases");
      r.problem(405, "method_not_allowed");
      assertThat(r.header("Allow")).contains("GET").contains("POST");
      api.send("PATCH", "/api/v1/databases/x").problem(405, "method_not_allowed");
    }

    @Test
    void an_unparseable_content_type_is_415() {
      api.post("/api/v1/databases", "not a media type", "{}")
          .problem(415, "unsupported_media_type");
    }

    @Test
    void health_is_up() {
      var r = api.get("/actuator/health");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("status").stringValue()).isEqualTo("UP");
    }
  }
}
