package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.sns.SnsClients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import tools.jackson.databind.JsonNode;

/**
 * The ECS task as Terraform defines it, started here: the image with the task definition's
 * environment, against the AWS APIs of moto, on tables created exactly as {@code local.tables}
 * declares them (the server only checks them: create-tables is off). Only what is AWS here differs:
 * the endpoint (moto), credentials (on ECS, the task role's) and each value Terraform would
 * compute, given below by the expression that computes it.
 */
class EcsTaskTest {

  @Test
  void the_task_definition_starts_the_image_on_the_tables_terraform_declares() {
    var module = TerraformTest.module;
    String prefix = "ecs" + UUID.randomUUID().toString().substring(0, 8);
    DynamoDbClient dynamo = DynamoDbFixture.client();
    module
        .local("tables")
        .properties()
        .forEach(e -> createAsDeclared(dynamo, prefix + "-" + e.getKey(), e.getValue()));
    String bucket = prefix + "-components";
    DynamoDbFixture.s3().createBucket(b -> b.bucket(bucket));
    String topicArn =
        SnsClients.sns(DynamoDbFixture.settings())
            .createTopic(b -> b.name(prefix + "-commits"))
            .topicArn();
    ApiKeys keys = ApiKeys.admin("ecs-task");

    // what Terraform computes, by expression
    Map<String, String> computed =
        Map.of(
            "${data.aws_region.current.region}",
            DynamoDbFixture.settings().region(),
            "${local.table_prefix}",
            prefix,
            "${aws_s3_bucket.components.bucket}",
            bucket,
            "${aws_sns_topic.commits.arn}",
            topicArn,
            "${var.subscription_heartbeat_seconds}s",
            module.variableDefault("subscription_heartbeat_seconds").asInt() + "s",
            "${local.api_keys_file}",
            keys.file().toString(),
            "${tostring(local.rest_port)}",
            String.valueOf(ServerProcess.freePort()),
            "${tostring(local.grpc_port)}",
            String.valueOf(ServerProcess.freePort()));
    var env = new LinkedHashMap<String, String>();
    TerraformTest.environment()
        .forEach(
            (name, value) -> {
              if (!value.contains("${")) {
                env.put(name, value);
              } else {
                assertThat(computed).as("a value for %s = %s", name, value).containsKey(value);
                env.put(name, computed.get(value));
              }
            });
    env.put("EVIDENTSOURCE_DYNAMODB_ENDPOINT", DynamoDbFixture.settings().endpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", "task-role");
    env.put("AWS_SECRET_ACCESS_KEY", "task-role");

    try (var server = ContainerImage.extracted().start("ecs-task", env)) {
      server.awaitReady();
      var created = server.rest("POST", "/api/v1/databases", "{\"name\":\"orders\"}", keys.key());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      var tx =
          server.rest(
              "POST",
              "/api/v1/databases/orders/transactions",
              """
              {"events":[{"specversion":"1.0","id":"o-1","source":"https://shop.example/orders",
                          "type":"OrderPlaced","subject":"order-1"}]}""",
              keys.key());
      assertThat(tx.statusCode()).as(tx.body()).isEqualTo(201);
      var stored = dynamo.scan(b -> b.tableName(prefix + "-events")).items();
      assertThat(stored).hasSize(1);
      assertThat(stored.get(0).get("rev")).isEqualTo(AttributeValue.fromN("1"));
    }
  }

  private static void createAsDeclared(DynamoDbClient dynamo, String table, JsonNode spec) {
    var attributes = new ArrayList<AttributeDefinition>();
    var keys = new ArrayList<KeySchemaElement>();
    String hash = spec.path("hash_key").asString();
    attributes.add(AttributeDefinition.builder().attributeName(hash).attributeType("S").build());
    keys.add(KeySchemaElement.builder().attributeName(hash).keyType(KeyType.HASH).build());
    if (!spec.path("range_key").isNull()) {
      String range = spec.path("range_key").asString();
      attributes.add(
          AttributeDefinition.builder()
              .attributeName(range)
              .attributeType(spec.path("range_key_type").asString())
              .build());
      keys.add(KeySchemaElement.builder().attributeName(range).keyType(KeyType.RANGE).build());
    }
    dynamo.createTable(
        b ->
            b.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attributes)
                .keySchema(keys));
  }
}
