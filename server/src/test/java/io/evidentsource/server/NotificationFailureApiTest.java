package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.storage.dynamodb.DynamoDbClients;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.MotoServer;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A database whose notifications cannot be published is reported by {@code GET
 * /api/v1/databases/{db}} ({@code notifications}) and the gauge {@code
 * evidentsource_notification_relay_failing} (issue 11). Profile {@code dynamodb-sns} on moto, with
 * a topic that does not exist, so SNS refuses every publish.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dynamodb-sns")
class NotificationFailureApiTest {
  static final String PREFIX = "nf" + UUID.randomUUID().toString().substring(0, 8);
  static final DynamoDbClients.Settings SETTINGS = DynamoDbFixture.settings();

  @DynamicPropertySource
  static void moto(DynamicPropertyRegistry registry) {
    MotoProperties.tables(registry, MotoServer.shared().endpoint(), PREFIX);
    registry.add("evidentsource.dynamodb.publish-sweep", () -> "500ms");
    registry.add(
        "evidentsource.sns.topic-arn",
        () -> "arn:aws:sns:us-east-1:123456789012:" + PREFIX + "-missing");
  }

  @LocalServerPort int port;

  @Test
  void a_database_that_cannot_be_published_shows_its_failure_and_is_counted() throws Exception {
    var api = new Api(port);
    assertThat(api.postJson("/api/v1/databases", "{\"name\":\"stuck\"}").status()).isEqualTo(201);
    var healthy = api.get("/api/v1/databases/stuck");
    assertThat(healthy.json().has("notifications")).as("nothing committed yet").isFalse();
    var tx =
        api.postJson(
            "/api/v1/databases/stuck/transactions",
            """
            {"events":[{"specversion":"1.0","id":"s-1","source":"shop","type":"OrderPlaced"}]}
            """);
    assertThat(tx.status()).isEqualTo(201);

    var database = api.get("/api/v1/databases/stuck");
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!database.json().has("notifications") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      database = api.get("/api/v1/databases/stuck");
    }

    var notifications = database.json().get("notifications");
    assertThat(notifications).as("notifications member of %s", database.json()).isNotNull();
    assertThat(notifications.get("status").stringValue()).isEqualTo("failing");
    assertThat(notifications.get("attempts").asInt()).isPositive();
    assertThat(notifications.get("error").stringValue()).isNotBlank();
    assertThat(Instant.parse(notifications.get("retry_at").stringValue())).isNotNull();
    assertThat(database.json().get("revision").asLong()).isEqualTo(1);
    // the list stays as it was
    assertThat(api.get("/api/v1/databases").json().get("databases").get(0).has("notifications"))
        .isFalse();
    assertThat(Prometheus.scrape(api).value("evidentsource_notification_relay_failing"))
        .isEqualTo(1.0);
  }
}
