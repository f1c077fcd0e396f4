package io.evidentsource.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.ServerTestBase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * With security off (the default), web pages of other origins still cannot use the server: a
 * cross-origin state-changing request and a request for an unknown host name (DNS rebinding) are
 * refused, and there is no CORS policy.
 */
class OriginCheckTest extends ServerTestBase {

  @Test
  void refuses_a_cross_origin_post_and_creates_nothing() {
    var r =
        api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"csrf-victim\"}",
            "Origin",
            "https://evil.example");
    var problem = r.problem(403, "forbidden_origin");
    assertThat(problem.get("origin").stringValue()).isEqualTo("https://evil.example");
    assertThat(problem.get("detail").stringValue())
        .contains("evidentsource.security.allowed-origins");
    assertThat(api.get("/api/v1/databases/csrf-victim").status()).isEqualTo(404);
  }

  @Test
  void refuses_a_text_plain_command_and_a_multipart_publish_from_another_origin() {
    String db = api.createDatabase();
    api.post(
            "/api/v1/databases/" + db + "/state-changes/x/commands",
            "text/plain",
            "{}",
            "Origin",
            "http://localhost:1234")
        .problem(403, "forbidden_origin");
    api.post(
            "/api/v1/databases/" + db + "/state-views",
            "multipart/form-data; boundary=b",
            "--b--\r\n",
            "Origin",
            "null")
        .problem(403, "forbidden_origin");
  }

  @Test
  void refuses_a_cross_site_request_that_carries_no_origin() {
    api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"csrf-victim-2\"}",
            "Sec-Fetch-Site",
            "cross-site")
        .problem(403, "forbidden_origin");
  }

  @Test
  void accepts_the_servers_own_origin_and_clients_that_send_none() {
    var same =
        api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"same-origin-db\"}",
            "Origin",
            "http://127.0.0.1:" + port,
            "Sec-Fetch-Site",
            "same-origin");
    assertThat(same.status()).as(same.text()).isEqualTo(201);
    assertThat(api.delete("/api/v1/databases/same-origin-db").status()).isEqualTo(204);
    // reads from other origins are not refused (the browser keeps their answers from the page)
    assertThat(api.get("/api/v1/databases", "Origin", "https://evil.example").status())
        .isEqualTo(200);
  }

  @Test
  void has_no_cors_policy_by_default() {
    var preflight =
        api.send(
            "OPTIONS",
            "/api/v1/databases",
            "Origin",
            "https://evil.example",
            "Access-Control-Request-Method",
            "POST");
    assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
    assertThat(
            api.get("/api/v1/databases", "Origin", "https://evil.example")
                .header("Access-Control-Allow-Origin"))
        .isNull();
  }

  @Test
  void refuses_a_host_name_it_does_not_answer_to_against_dns_rebinding() throws IOException {
    assertThat(rawGet("rebound.evil.example:" + port)).startsWith("HTTP/1.1 403");
    assertThat(rawGet("rebound.evil.example:" + port)).contains("\"code\":\"forbidden_origin\"");
    assertThat(rawGet("localhost:" + port)).startsWith("HTTP/1.1 200");
    assertThat(rawGet("127.0.0.1:" + port)).startsWith("HTTP/1.1 200");
  }

  /** A GET with this Host header (which java.net.http does not let a caller set). */
  String rawGet(String host) throws IOException {
    try (var socket = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /api/v1/databases HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
