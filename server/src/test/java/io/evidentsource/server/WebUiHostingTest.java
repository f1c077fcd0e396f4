package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The web UI's files are served from the server jar under {@code /ui/} on the REST port: the root
 * redirects there, a screen's address (bookmarked or reloaded) gets the single-page app's shell,
 * hashed assets are cached for good, and every UI response carries the security headers.
 */
class WebUiHostingTest extends ServerTestBase {
  static final Pattern SCRIPT = Pattern.compile("src=\"(/ui/assets/[^\"]+\\.js)\"");

  @Test
  void the_root_and_ui_without_slash_redirect_to_the_ui() {
    for (String path : new String[] {"/", "/ui"}) {
      var r = api.get(path);
      assertThat(r.status()).as(path).isEqualTo(302);
      assertThat(r.header("Location")).as(path).endsWith("/ui/");
    }
  }

  @Test
  void the_ui_is_the_apps_shell_never_cached_with_a_content_security_policy() {
    var r = api.get("/ui/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/html");
    assertThat(r.text()).contains("<div id=\"root\"></div>").contains("/ui/assets/");
    assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(r.header("Content-Security-Policy"))
        .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("http");
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void a_screens_address_answers_with_the_shell_so_deep_links_work() {
    var shell = api.get("/ui/").text();
    var r = api.get("/ui/databases/orders/events?subject_prefix=order-&revision=100");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo(shell);
    assertThat(api.get("/ui/databases/orders/events/42").text()).isEqualTo(shell);
  }

  @Test
  void hashed_assets_are_cached_for_a_year_and_missing_files_are_404() {
    var matcher = SCRIPT.matcher(api.get("/ui/").text());
    assertThat(matcher.find()).as("index.html loads a bundled script").isTrue();
    var script = api.get(matcher.group(1));
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.contentType()).contains("javascript");
    assertThat(script.header("Cache-Control")).contains("max-age=31536000", "immutable");
    assertThat(script.header("Content-Security-Policy")).isNotNull();

    assertThat(api.get("/ui/favicon.svg").contentType()).startsWith("image/svg+xml");
    assertThat(api.get("/ui/assets/missing-abc123.js").status()).isEqualTo(404);
    assertThat(api.get("/ui/missing.png").status()).isEqualTo(404);
  }

  @Test
  void the_api_is_not_shadowed_by_the_ui() {
    assertThat(api.get("/api/v1/databases").contentType()).startsWith("application/json");
    api.get("/api/v1/nope").problem(404, "not_found");
  }
}
