package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbSchema;
import io.evidentsource.storage.dynamodb.DynamoDbTables;
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
                    "evidentsource.dynamodb.table-prefix=k"
                        + UUID.randomUUID().toString().substring(0, 6)))
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

  @Test
  void refuses_a_group_commit_larger_than_a_dynamodb_transaction_holds() {
    assertThatThrownBy(
            () ->
                start(
                    "evidentsource.dynamodb.create-tables=true",
                    "evidentsource.sns.topic-arn=" + "arn:aws:sns:us-east-1:123456789012:unused",
                    "evidentsource.dynamodb.group-commit-transactions=50"))
        .hasStackTraceContaining(
            "evidentsource.dynamodb.group-commit-transactions must be between 1 (off) and 49");
  }

  @Test
  void refuses_to_start_without_a_components_bucket_naming_the_property() {
    assertThatThrownBy(
            () ->
                startWithoutBucket(
                    "dynamodb-sns",
                    "evidentsource.dynamodb.create-tables=true",
                    "evidentsource.dynamodb.table-prefix=b"
                        + UUID.randomUUID().toString().substring(0, 6),
                    "evidentsource.sns.topic-arn=" + "arn:aws:sns:us-east-1:123456789012:unused"))
        .hasStackTraceContaining("evidentsource.dynamodb.components-bucket must be set");
  }

  @Test
  void refuses_to_start_when_the_components_bucket_is_missing_and_create_tables_is_off() {
    String prefix = "c" + UUID.randomUUID().toString().substring(0, 6);
    var client = DynamoDbFixture.client();
    DynamoDbSchema.ensure(client, new DynamoDbTables(prefix), true);
    String bucket = DynamoDbFixture.freshBucket();
    assertThatThrownBy(
            () ->
                startWithoutBucket(
                    "dynamodb-sns",
                    "evidentsource.dynamodb.table-prefix=" + prefix,
                    "evidentsource.dynamodb.components-bucket=" + bucket,
                    "evidentsource.sns.topic-arn=" + "arn:aws:sns:us-east-1:123456789012:unused"))
        .hasStackTraceContaining("S3 bucket '" + bucket + "'")
        .hasStackTraceContaining("evidentsource.dynamodb.components-bucket")
        .hasStackTraceContaining("is missing");
  }

  private void start(String... properties) {
    startWith("dynamodb-sns", properties);
  }

  private void startWith(String profile, String... properties) {
    var all = new String[properties.length + 1];
    all[0] = "evidentsource.dynamodb.components-bucket=validation-components";
    System.arraycopy(properties, 0, all, 1, properties.length);
    startWithoutBucket(profile, all);
  }

  private void startWithoutBucket(String profile, String... properties) {
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
