package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fuzzes the NDJSON bulk loader and the multipart reader through the running server
 * (docs/reliability.md): whatever the body, the answer is a 2xx or a 4xx problem detail, never a
 * 5xx. The multipart bodies go to component uploads and to command execution with the boundary
 * {@code X}.
 */
class RequestBodyFuzzTest extends ServerTestBase {
  /** One database for all inputs, so that fuzzing does not create one per input. */
  private static final AtomicReference<String> DATABASE = new AtomicReference<>();

  private String database() {
    return DATABASE.updateAndGet(db -> db != null ? db : api.createDatabase());
  }

  @FuzzTest(maxDuration = "2m")
  void ndjson_bulk_loads_are_never_a_server_error(byte[] body) {
    var r = api.post("/api/v1/databases/" + database() + "/events", "application/x-ndjson", body);
    assertThat(r.status()).as(r.text()).isLessThan(500);
    if (r.status() >= 400) {
      assertThat(r.contentType()).startsWith("application/problem+json");
    }
  }

  @FuzzTest(maxDuration = "2m")
  void multipart_bodies_are_never_a_server_error(byte[] body) {
    String type = "multipart/form-data; boundary=X";
    for (String path :
        new String[] {"/state-views", "/state-changes", "/state-changes/fuzz/commands"}) {
      var r = api.post("/api/v1/databases/" + database() + path, type, body);
      assertThat(r.status()).as(path + ": " + r.text()).isLessThan(500);
    }
  }
}
