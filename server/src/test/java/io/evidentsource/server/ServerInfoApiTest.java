package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/server}: version, profiles in force and the limits this server enforces. */
class ServerInfoApiTest extends ServerTestBase {
  @Test
  void reports_the_version_the_profiles_and_the_configured_limits() {
    var shapes = new OpenApiShapesTest();
    shapes.api = api;
    shapes.load();
    var r = api.get("/api/v1/server");
    shapes.assertConforms(r, "/api/v1/server", "get", 200, "application/json");
    var body = r.json();
    assertThat(body.get("version").stringValue()).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(body.get("profiles").get(0).stringValue()).isEqualTo("local");
    var limits = body.get("limits");
    // the test configuration's limits (ServerTest), not the defaults
    assertThat(limits.get("max_request_bytes").longValue()).isEqualTo(ServerTest.MAX_REQUEST_BYTES);
    assertThat(limits.get("max_bulk_bytes").longValue()).isEqualTo(ServerTest.MAX_BULK_BYTES);
    assertThat(limits.get("wasm_call_timeout_ms").longValue()).isEqualTo(1000);
    assertThat(limits.get("max_batch_events").longValue()).isEqualTo(25);
    assertThat(limits.get("max_page_size").longValue()).isEqualTo(1000);
  }
}
