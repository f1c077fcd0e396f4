package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The web UI's sign-in in headless Chromium ({@code web-ui/e2e/signin.e2e.mjs}) against a server
 * with security on: asked for a key on the first 401, a wrong key refused, an HttpOnly,
 * SameSite=Strict session cookie, sign-out. Needs what {@link WebUiBrowserTest} needs.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.port=0",
      "evidentsource.security.enabled=true",
      "evidentsource.security.api-keys[0].name=ui-admin",
      // SHA-256 of WebUiSignInBrowserTest.KEY
      "evidentsource.security.api-keys[0].sha256="
          + "a5401042958adfded1b3829dd91ebb8baefacb4b6ded172c8e29ec3d65db22e2",
      "evidentsource.security.api-keys[0].scopes=admin",
    })
class WebUiSignInBrowserTest {
  static final String KEY = "browser-sign-in-test-key";

  @LocalServerPort int port;

  @Test
  void signs_in_with_a_key_in_headless_chromium() throws Exception {
    assertThat(io.evidentsource.server.security.ApiKeysTest.sha256(KEY))
        .isEqualTo("a5401042958adfded1b3829dd91ebb8baefacb4b6ded172c8e29ec3d65db22e2");
    assertThat(WebUiBrowserTest.WEB_UI.resolve("node_modules/playwright-core"))
        .as("the web UI's packages: build the web-ui module first (./mvnw verify builds it)")
        .isDirectory();
    var process =
        new ProcessBuilder("node", "--test", "--test-reporter=spec", "e2e/signin.e2e.mjs")
            .directory(WebUiBrowserTest.WEB_UI.toFile())
            .redirectErrorStream(true);
    process.environment().put("EVIDENTSOURCE_URL", "http://127.0.0.1:" + port);
    process.environment().put("EVIDENTSOURCE_KEY", KEY);
    process.environment().put("CHROMIUM", WebUiBrowserTest.CHROMIUM.toString());
    var running = process.start();
    var output = new StringBuilder();
    try (var lines =
        new BufferedReader(
            new InputStreamReader(running.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        System.out.println("[signin.e2e] " + line);
        output.append(line).append('\n');
      }
    }
    assertThat(running.waitFor(5, TimeUnit.MINUTES)).as("the browser test finished").isTrue();
    assertThat(running.exitValue()).as("the browser test:%n%s", output).isZero();
  }
}
