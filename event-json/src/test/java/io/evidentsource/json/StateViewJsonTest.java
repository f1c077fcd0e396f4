package io.evidentsource.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.StateViewResult;
import io.evidentsource.core.model.DatabaseName;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The state view read envelope that REST and the guest's {@code view_state} share. */
class StateViewJsonTest {
  static final DatabaseName DB = DatabaseName.of("bank");
  static final Instant T = Instant.parse("2026-03-04T05:06:07.123456789Z");

  static String envelope(String contentType, byte[] content, Instant lastModified) {
    var result = new StateViewResult(DB, "balance", 2, 41, 40, lastModified, contentType, content);
    return new String(StateViewJson.toJsonBytes(result), StandardCharsets.UTF_8);
  }

  @Test
  void writes_every_field_in_order_with_json_content_inline() {
    assertThat(envelope("application/json", "{\"a\": [1, 2]}".getBytes(StandardCharsets.UTF_8), T))
        .isEqualTo(
            "{\"database\":\"bank\",\"name\":\"balance\",\"version\":2,\"revision\":41,"
                + "\"last_modified_revision\":40,"
                + "\"last_modified_time\":\"2026-03-04T05:06:07.123456789Z\","
                + "\"content_type\":\"application/json\",\"content\":{\"a\":[1,2]}}");
  }

  @Test
  void a_json_view_without_state_has_null_content_and_no_last_modified_time() {
    assertThat(envelope("application/vnd.example+json", new byte[0], null))
        .contains("\"last_modified_time\":null")
        .endsWith("\"content\":null}");
  }

  @Test
  void other_bytes_are_base64_also_when_a_json_view_produced_invalid_json() {
    byte[] bytes = {0, 1, (byte) 0xfe, 'x'};
    assertThat(envelope("application/octet-stream", bytes, T))
        .endsWith("\"content\":\"AAH+eA==\"}");
    assertThat(envelope("application/json", "not json".getBytes(StandardCharsets.UTF_8), T))
        .endsWith("\"content\":\"bm90IGpzb24=\"}");
  }
}
