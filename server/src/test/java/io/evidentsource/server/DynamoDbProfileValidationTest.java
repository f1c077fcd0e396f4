package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The DynamoDB profiles refuse to start on incomplete settings, naming what is wrong. */
class DynamoDbProfileValidationTest {

  @Test
  void refuses_to_start_without_a_topic_arn_naming_the_property() {
    assertThatThrownBy(() -> start("evidentsource.dynamodb.create-tables=true"))
        .hasStackTraceContaining("evidentsource.sns.topic-arn must be set");
  }

  @Test
  void refuses_to_start_when_tables_are_missing_and_create_tables_is_off() {
    String prefix = "missing" + UUID.randomUUID().toString().substring(0, 6);
    assertThatThrownBy(
            () ->
                start(
                    "evidentsource.sns.topic-arn=" + "arn:aws:sns:us-east-1:123456789012:unused",
                    "evidentsource.dynamodb.table-prefix=" + prefix))
        .hasStackTraceContaining("table '" + prefix + "-databases' is missing")
        .hasStackTraceContaining("create-tables");
  }

  @Test
  void refuses_to_start_the_kafka_profile_without_bootstrap_servers_naming_the_property() {
    assertThatThrownBy(
            () ->
                startWith(
                    "dynamodb-kafka",
                    "evidentsource.dynamodb.create-tables=true",
                    "evidentsource.dynamodb.table-prefix=k" + UUID.randomUUID().toString().substring(0, 6)))
        .hasStackTraceContaining("evidentsource.kafka.bootstrap-servers must be set");
  }

  @Test
  void refuses_a_malformed_topic_arn() {
    assertThatThrownBy(
            () ->
                start(
                    "evidentsource.dynamodb.create-tables=true",
                    "evidentsource.sns.topic-arn=my-topic"))
        .hasStackTraceContaining("evidentsource.sns.topic-arn must be an SNS topic ARN");
  }

  private void start(String... properties) {
    startWith("dynamodb-sns", properties);
  }

  private void startWith(String profile, String... properties) {
    var all = new String[properties.length + 3];
    all[0] = "evidentsource.dynamodb.endpoint=" + DynamoDbFixture.settings().endpoint();
    all[1] = "server.port=0";
    all[2] = "spring.main.banner-mode=off";
    System.arraycopy(properties, 0, all, 3, properties.length);
    try (var ctx =
        new SpringApplicationBuilder(EvidentSourceServer.class)
            .profiles(profile)
            .properties(all)
            .run()) {
      throw new AssertionError("started: " + ctx.getId());
    }
  }
}
