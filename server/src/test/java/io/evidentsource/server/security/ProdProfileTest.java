package io.evidentsource.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.server.EvidentSourceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code prod} profile: keys required, all interfaces; without a key it does not start and says
 * why.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProdProfileTest {
  static final String[] PORTS = {"--server.port=0", "--spring.grpc.server.port=0"};

  static ConfigurableApplicationContext start(String... args) {
    var all = new String[args.length + PORTS.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(PORTS, 0, all, args.length, PORTS.length);
    return SpringApplication.run(EvidentSourceServer.class, all);
  }

  @Test
  void refuses_to_start_without_a_key_and_says_what_to_configure(CapturedOutput output) {
    assertThatThrownBy(() -> start("--spring.profiles.active=prod,memory"))
        .hasRootCauseInstanceOf(NoApiKeysException.class)
        .rootCause()
        .hasMessageContaining("evidentsource.security.enabled is true (the prod profile sets it)")
        .hasMessageContaining("no API key is configured");
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("evidentsource.security.api-keys[0].sha256")
        .contains("evidentsource.security.api-keys-file");
  }

  @Test
  void refuses_to_start_with_an_empty_keys_file_naming_it(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("keys"), "# no keys yet\n");
    assertThatThrownBy(
            () ->
                start(
                    "--spring.profiles.active=prod,memory",
                    "--evidentsource.security.api-keys-file=" + file))
        .rootCause()
        .hasMessageContaining("the keys file " + file + " holds none");
  }

  @Test
  void with_a_key_listens_on_all_interfaces_and_checks_keys(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("keys"), "ops " + ApiKeysTest.sha256("prod-test-key") + " admin\n");
    try (var context =
        start(
            "--spring.profiles.active=prod,memory",
            "--evidentsource.security.api-keys-file=" + file)) {
      var env = context.getEnvironment();
      assertThat(env.getProperty("evidentsource.security.enabled")).isEqualTo("true");
      assertThat(env.getProperty("server.address")).isEqualTo("0.0.0.0");
      assertThat(env.getProperty("spring.grpc.server.host")).isEqualTo("0.0.0.0");
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      var http = HttpClient.newHttpClient();
      var uri = URI.create("http://127.0.0.1:" + port + "/api/v1/databases");
      assertThat(
              http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(uri).header("X-API-Key", "prod-test-key").build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
    }
  }
}
