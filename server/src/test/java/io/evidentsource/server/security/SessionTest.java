package io.evidentsource.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.Api;
import io.evidentsource.server.ServerTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * With security on: the web UI's sign-in exchanges a key for an HttpOnly, SameSite=Strict session
 * cookie that works like the key until sign-out or until the key is removed; a configured origin
 * gets a CORS policy; other origins still cannot post, with or without the cookie.
 */
@TestPropertySource(
    properties = {
      "evidentsource.security.enabled=true",
      "evidentsource.security.api-keys-file=" + SessionTest.KEYS_FILE,
      "evidentsource.security.allowed-origins=https://app.example.com",
    })
class SessionTest extends ServerTestBase {
  static final String KEYS_FILE = "target/session-test.keys";

  static {
    try {
      Files.writeString(
          Path.of(KEYS_FILE),
          "ui-admin "
              + ApiKeysTest.sha256("ui-admin-key")
              + " admin\n"
              + "ui-reader "
              + ApiKeysTest.sha256("ui-reader-key")
              + " read:*\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  String signIn(String key) {
    var r = api.postJson("/api/v1/session", "{\"api_key\":\"" + key + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    String cookie = r.header("Set-Cookie");
    assertThat(cookie)
        .startsWith("EVIDENTSOURCE_SESSION=")
        .contains("HttpOnly")
        .contains("SameSite=Strict")
        .doesNotContain(key);
    return cookie.substring(0, cookie.indexOf(';'));
  }

  @Test
  void signs_in_with_a_key_and_the_cookie_then_stands_for_it() {
    String cookie = signIn("ui-reader-key");
    var who = api.get("/api/v1/session", "Cookie", cookie);
    assertThat(who.status()).isEqualTo(200);
    assertThat(who.header("Set-Cookie")).as("the session keeps its id").isNull();
    assertThat(who.json().get("principal").stringValue()).isEqualTo("ui-reader");
    assertThat(who.json().get("security_enabled").booleanValue()).isTrue();
    assertThat(api.get("/api/v1/databases", "Cookie", cookie).status()).isEqualTo(200);
    // the reader's cookie does not make it an admin
    api.post("/api/v1/databases", "application/json", "{\"name\":\"x\"}", "Cookie", cookie)
        .problem(403, "forbidden");
    assertThat(api.get("/api/v1/databases").status()).isEqualTo(401);
  }

  @Test
  void refuses_a_wrong_key_without_a_cookie() {
    var r = api.postJson("/api/v1/session", "{\"api_key\":\"guess\"}");
    r.problem(401, "unauthenticated");
    assertThat(r.header("Set-Cookie")).isNull();
  }

  @Test
  void signing_out_ends_the_session() {
    String cookie = signIn("ui-admin-key");
    assertThat(api.send("DELETE", "/api/v1/session", "Cookie", cookie).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/databases", "Cookie", cookie).status()).isEqualTo(401);
  }

  @Test
  void a_page_of_another_origin_cannot_post_with_the_cookie() {
    String cookie = signIn("ui-admin-key");
    api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"forged\"}",
            "Cookie",
            cookie,
            "Origin",
            "https://evil.example")
        .problem(403, "forbidden_origin");
    var own =
        api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"session-own\"}",
            "Cookie",
            cookie,
            "Origin",
            "http://127.0.0.1:" + port);
    assertThat(own.status()).as(own.text()).isEqualTo(201);
  }

  @Test
  void an_allowed_origin_gets_cors_and_may_post_with_a_key() {
    var preflight =
        api.send(
            "OPTIONS",
            "/api/v1/databases",
            "Origin",
            "https://app.example.com",
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "authorization,content-type");
    assertThat(preflight.status()).isEqualTo(200);
    assertThat(preflight.header("Access-Control-Allow-Origin"))
        .isEqualTo("https://app.example.com");
    assertThat(preflight.header("Access-Control-Allow-Credentials")).isNull();
    var created =
        api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"cors-db\"}",
            "Origin",
            "https://app.example.com",
            "Authorization",
            "Bearer ui-admin-key");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    var other =
        api.send(
            "OPTIONS",
            "/api/v1/databases",
            "Origin",
            "https://evil.example",
            "Access-Control-Request-Method",
            "POST");
    assertThat(other.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void a_key_is_rotated_in_the_running_server_by_editing_the_keys_file() throws Exception {
    String admin = "ui-admin " + ApiKeysTest.sha256("ui-admin-key") + " admin\n";
    String reader = "ui-reader " + ApiKeysTest.sha256("ui-reader-key") + " read:*\n";
    String rotated = "ui-reader-2 " + ApiKeysTest.sha256("ui-reader-key-2") + " read:*\n";
    Path file = Path.of(KEYS_FILE);
    String oldSession = signIn("ui-reader-key");
    try {
      // step 1: the new key beside the old one; both work
      rewrite(file, admin + reader + rotated, 1);
      assertThat(api.get("/api/v1/databases", "X-API-Key", "ui-reader-key-2").status())
          .isEqualTo(200);
      assertThat(api.get("/api/v1/databases", "X-API-Key", "ui-reader-key").status())
          .isEqualTo(200);
      // step 3: the old key removed; it and its session stop working at once
      rewrite(file, admin + rotated, 2);
      api.get("/api/v1/databases", "X-API-Key", "ui-reader-key").problem(401, "unauthenticated");
      assertThat(api.get("/api/v1/databases", "Cookie", oldSession).status()).isEqualTo(401);
      assertThat(api.get("/api/v1/databases", "X-API-Key", "ui-reader-key-2").status())
          .isEqualTo(200);
    } finally {
      rewrite(file, admin + reader, 3);
    }
  }

  /** Rewrites the keys file with a modification time of its own, as a later edit would have. */
  static void rewrite(Path file, String text, int generation) throws java.io.IOException {
    Files.writeString(file, text);
    Files.setLastModifiedTime(
        file,
        java.nio.file.attribute.FileTime.from(
            java.time.Instant.parse("2031-01-01T00:00:00Z").plusSeconds(generation)));
  }

  @Test
  void health_stays_open_with_security_on() {
    assertThat(new Api(port).get("/actuator/health/readiness").status()).isEqualTo(200);
  }
}
