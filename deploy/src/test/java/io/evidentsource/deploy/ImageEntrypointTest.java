package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the image runs, run here: the server jar extracted into its layers as the Dockerfile's
 * {@code layers} stage does, copied as the image copies them, started with the image's {@code
 * ENTRYPOINT}, working directory and {@code ENV}, and only what a {@code docker run} would add:
 * free ports instead of 8080/9090 (tests never take fixed ports) and the API keys file the {@code
 * prod} profile requires. No container engine runs here, so this is how the image's contents are
 * known to start.
 */
class ImageEntrypointTest {
  static ContainerImage image;
  static ApiKeys keys;
  static ServerProcess server;

  @BeforeAll
  static void start() {
    image = ContainerImage.extracted();
    keys = ApiKeys.admin("image-test");
    server =
        image.start(
            "image-defaults",
            Map.of(
                "SERVER_PORT", String.valueOf(ServerProcess.freePort()),
                "SPRING_GRPC_SERVER_PORT", String.valueOf(ServerProcess.freePort()),
                "EVIDENTSOURCE_SECURITY_API_KEYS_FILE", keys.file().toString(),
                // the volume a docker run mounts on /data
                "EVIDENTSOURCE_LOCAL_DATA_DIR", dataVolume().toString()));
  }

  private static Path dataVolume() {
    try {
      Path target = Files.createDirectories(Path.of("target"));
      return Files.createTempDirectory(target, "image-data");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void the_layers_hold_exactly_what_the_application_jar_names() throws IOException {
    Path jar = image.workdir().resolve("evidentsource-server.jar");
    assertThat(jar).isRegularFile();
    List<String> classPath;
    try (var file = new JarFile(jar.toFile())) {
      var manifest = file.getManifest().getMainAttributes();
      assertThat(manifest.getValue("Main-Class"))
          .isEqualTo("io.evidentsource.server.EvidentSourceServer");
      classPath = Arrays.asList(manifest.getValue("Class-Path").strip().split(" ", -1));
    }
    try (var libs = Files.list(image.workdir().resolve("lib"))) {
      assertThat(libs.map(p -> "lib/" + p.getFileName()))
          .hasSizeGreaterThan(50)
          .containsExactlyInAnyOrderElementsOf(classPath);
    }
  }

  @Test
  void the_server_starts_and_its_health_check_reports_ready() {
    server.awaitReady();
    assertThat(server.healthy()).isTrue();
  }

  @Test
  void the_grpc_health_service_reports_serving_as_the_alb_asks_it() {
    server.awaitReady();
    assertThat(GrpcHealth.awaitServing("127.0.0.1", server.grpcPort(), ServerProcess.START_LIMIT))
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void the_rest_api_creates_and_reads_a_database() {
    server.awaitReady();
    var created = server.rest("POST", "/api/v1/databases", "{\"name\":\"image\"}", keys.key());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(server.rest("GET", "/api/v1/databases/image", null, keys.key()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void the_prod_profile_refuses_requests_without_a_key() {
    server.awaitReady();
    var refused = server.rest("GET", "/api/v1/databases", null, null);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
    assertThat(refused.body()).contains("\"code\":\"unauthenticated\"");
  }

  @Test
  void a_node_grpc_client_works_against_it() {
    server.awaitReady();
    NodeClient.runScenario("127.0.0.1:" + server.grpcPort(), keys.key());
  }
}
