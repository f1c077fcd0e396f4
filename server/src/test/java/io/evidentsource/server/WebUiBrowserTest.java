package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The web UI in a real browser: this test starts the server on random ports (its own context, so
 * the scenarios see only their own data) and runs {@code web-ui/e2e/ui.e2e.mjs} with Node's test
 * runner; the script drives headless Chromium (Debian's {@code chromium}) through playwright-core
 * and checks every screen (upload of samples/github-webhooks.ndjson, filters and deep links, an
 * event, time travel, the live tail, a guarded transaction, a WAT state view and a state change's
 * dry run), accessibility with axe-core, and that the console shows no errors.
 *
 * <p>Needs Node.js with the web UI's packages (the {@code web-ui} module's build installs them) and
 * {@code /usr/bin/chromium} ({@code .ci/run} installs it); it fails, never skips, when either is
 * missing. Screenshots land in {@code server/target/ui-screenshots}, or where {@code
 * -Devidentsource.ui.screenshots=...} says (docs/ui.md's are taken with {@code
 * -Devidentsource.ui.screenshots=../docs/ui}).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.grpc.server.port=0"})
class WebUiBrowserTest {
  static final Path WEB_UI = Path.of("..", "web-ui").toAbsolutePath().normalize();
  static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  @LocalServerPort int port;

  @Test
  void every_screen_works_in_headless_chromium(@TempDir Path temp) throws Exception {
    assertThat(WEB_UI.resolve("node_modules/playwright-core"))
        .as("the web UI's packages: build the web-ui module first (./mvnw verify builds it)")
        .isDirectory();
    assertThat(CHROMIUM)
        .as("headless Chromium: apt-get install chromium (.ci/run installs it)")
        .isExecutable();
    Path counter = temp.resolve("counter.wasm");
    Path decide = temp.resolve("echo-decide.wasm");
    Files.write(counter, Wat2Wasm.parse(Files.readString(guest("counter.wat"))));
    Files.write(decide, Wat2Wasm.parse(Files.readString(guest("echo-decide.wat"))));
    Path screenshots =
        Path.of(System.getProperty("evidentsource.ui.screenshots", "target/ui-screenshots"))
            .toAbsolutePath()
            .normalize();

    var process =
        new ProcessBuilder("node", "--test", "--test-reporter=spec", "e2e/ui.e2e.mjs")
            .directory(WEB_UI.toFile())
            .redirectErrorStream(true);
    var env = process.environment();
    env.put("EVIDENTSOURCE_URL", "http://127.0.0.1:" + port);
    env.put(
        "SAMPLE_NDJSON",
        Path.of("..", "samples", "github-webhooks.ndjson").toAbsolutePath().toString());
    env.put("COUNTER_WASM", counter.toString());
    env.put("DECIDE_WASM", decide.toString());
    env.put("SCREENSHOTS", screenshots.toString());
    env.put("CHROMIUM", CHROMIUM.toString());
    var running = process.start();
    var output = new StringBuilder();
    try (var lines =
        new BufferedReader(
            new InputStreamReader(running.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        System.out.println("[ui.e2e] " + line);
        output.append(line).append('\n');
      }
    }
    assertThat(running.waitFor(10, TimeUnit.MINUTES)).as("the browser tests finished").isTrue();
    assertThat(running.exitValue()).as("the browser tests:%n%s", output).isZero();
  }

  static Path guest(String file) {
    return Path.of("..", "guests", "wat", file);
  }
}
