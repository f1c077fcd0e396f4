package io.evidentsource.server;

import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.MotoServer;
import io.evidentsource.storage.dynamodb.sns.SnsClients;
import java.net.URI;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The settings of a server test on a DynamoDB profile against moto. */
final class MotoProperties {
  private MotoProperties() {}

  /**
   * DynamoDB at {@code endpoint}, on tables and a components bucket of the test's own ({@code
   * prefix}), created at start.
   */
  static void tables(DynamicPropertyRegistry registry, URI endpoint, String prefix) {
    registry.add("evidentsource.dynamodb.endpoint", endpoint::toString);
    registry.add("evidentsource.dynamodb.table-prefix", () -> prefix);
    registry.add("evidentsource.dynamodb.create-tables", () -> "true");
    registry.add("evidentsource.dynamodb.components-bucket", () -> prefix + "-components");
  }

  /** Creates the SNS topic {@code {prefix}-commits} on the shared moto server; its ARN. */
  static String commitsTopic(String prefix) {
    return SnsClients.sns(DynamoDbFixture.settings())
        .createTopic(b -> b.name(prefix + "-commits"))
        .topicArn();
  }

  /**
   * The {@code dynamodb-sns} profile on the shared moto server: {@link #tables} of {@code prefix}
   * and commits announced on {@code topicArn} (made by {@link #commitsTopic}).
   */
  static void snsProfile(DynamicPropertyRegistry registry, String prefix, String topicArn) {
    tables(registry, MotoServer.shared().endpoint(), prefix);
    registry.add("evidentsource.sns.topic-arn", () -> topicArn);
  }
}
