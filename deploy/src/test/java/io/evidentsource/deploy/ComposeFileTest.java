package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code docker/compose.yaml} as written; {@link LocalClusterTest} runs it. */
class ComposeFileTest {
  static final Compose compose = Compose.read();

  @Test
  void two_servers_from_the_image_moto_and_a_load_balancer_that_alone_publishes_ports() {
    assertThat(compose.serviceNames())
        .containsExactlyInAnyOrder("moto", "moto-init", "server-1", "server-2", "lb");
    for (String server : List.of("server-1", "server-2")) {
      @SuppressWarnings("unchecked")
      var build = (Map<String, Object>) compose.service(server).get("build");
      assertThat(build)
          .containsEntry("context", "..")
          .containsEntry("dockerfile", "docker/Dockerfile");
      assertThat(compose.service(server)).doesNotContainKey("ports");
    }
    assertThat(compose.list("lb", "ports")).containsExactly("8080:8080", "9090:9090");
    assertThat((String) compose.service("lb").get("image")).startsWith("haproxy:");
    assertThat(compose.service("moto").get("image"))
        .isEqualTo(compose.service("moto-init").get("image"));
  }

  @Test
  void the_servers_run_prod_on_dynamodb_sns_and_every_variable_sets_a_server_property() {
    Map<String, String> env = compose.environment("server-1");
    assertThat(env).isEqualTo(compose.environment("server-2"));
    assertThat(env.get("SPRING_PROFILES_ACTIVE").split(",", -1))
        .containsExactly("prod", "dynamodb-sns");
    assertThat(env.keySet())
        .filteredOn(k -> !k.startsWith("AWS_"))
        .allSatisfy(ServerPropertiesAssert::setsAServerProperty);
    String topic = compose.environment("moto-init").get("TOPIC_NAME");
    assertThat(env.get("EVIDENTSOURCE_SNS_TOPIC_ARN"))
        .as("the topic moto-init creates (moto's account and region)")
        .isEqualTo("arn:aws:sns:us-east-1:123456789012:" + topic);
  }

  @Test
  void the_load_balancer_checks_readiness_and_outlasts_the_heartbeat() throws IOException {
    String config = Files.readString(Repo.path("docker/compose/haproxy.cfg"));
    assertThat(config).contains("option httpchk GET /actuator/health/readiness");
    assertThat(config).containsPattern("bind :9090 proto h2");
    String heartbeat =
        ServerProperties.of().defaultValue("evidentsource.subscriptions.heartbeat-interval");
    long heartbeatSeconds =
        java.time.Duration.parse("PT" + heartbeat.toUpperCase(Locale.ROOT)).toSeconds();
    var timeouts =
        Pattern.compile("timeout (client|server) (\\d+)s").matcher(config).results().toList();
    assertThat(timeouts).hasSize(2);
    assertThat(timeouts)
        .allSatisfy(
            t ->
                assertThat(Long.parseLong(t.group(2)))
                    .isGreaterThanOrEqualTo(2 * heartbeatSeconds));
  }
}
