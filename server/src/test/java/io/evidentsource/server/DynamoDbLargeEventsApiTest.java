package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.storage.dynamodb.DynamoDbClients;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.sns.SnsClients;
import io.evidentsource.storage.dynamodb.sns.SnsFixture;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;
import tools.jackson.databind.JsonNode;

/**
 * The requests issue 11 reported against DynamoDB, over REST on profile {@code dynamodb-sns}
 * (moto), with the server's own limits raised so that DynamoDB's are the ones reached
 * (docs/dynamodb.md#large-events): a 500 KB event, which gave a 500, is stored (its data in S3),
 * read back unchanged and announced on SNS by reference ({@code dataref}, SNS takes 256 KiB); 98
 * events of 60 KB, over DynamoDB's 4 MB per transaction, are refused with 413 naming that limit
 * before anything is written.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "evidentsource.max-event-bytes=1048576",
      "evidentsource.max-batch-events=98",
      "evidentsource.max-request-bytes=8MB"
    })
@ActiveProfiles("dynamodb-sns")
class DynamoDbLargeEventsApiTest {
  static final String PREFIX = "le" + UUID.randomUUID().toString().substring(0, 8);
  static final DynamoDbClients.Settings SETTINGS = DynamoDbFixture.settings();
  static final String TOPIC_ARN = MotoProperties.commitsTopic(PREFIX);

  @DynamicPropertySource
  static void moto(DynamicPropertyRegistry registry) {
    MotoProperties.snsProfile(registry, PREFIX, TOPIC_ARN);
  }

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  private static String eventWithData(String id, int dataBytes) {
    return Api.event(
        id, "shop", "Uploaded", null, "\"data\":{\"blob\":\"" + "x".repeat(dataBytes) + "\"}");
  }

  @Test
  void a_500_kb_event_is_stored_read_back_unchanged_and_announced_by_reference() {
    var sqs = DynamoDbClients.configure(SqsClient.builder(), SETTINGS).build();
    String queueUrl =
        SnsFixture.subscribedQueue(
            sqs, SnsClients.sns(SETTINGS), TOPIC_ARN, PREFIX + "-listener", true);
    String db = api.createDatabase();
    int dataBytes = 500 * 1024;

    var tx =
        api.postJson(
            "/api/v1/databases/" + db + "/transactions",
            "{\"events\":[" + eventWithData("big-1", dataBytes) + "]}");

    assertThat(tx.status()).as(tx.text()).isEqualTo(201);
    var stored = api.get("/api/v1/databases/" + db + "/events/1");
    assertThat(stored.status()).isEqualTo(200);
    assertThat(stored.json().get("data").get("blob").stringValue()).hasSize(dataBytes);

    String body = null;
    while (body == null) {
      var messages =
          sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1).waitTimeSeconds(1))
              .messages();
      if (!messages.isEmpty()) {
        body = messages.get(0).body();
      }
    }
    JsonNode announced = Api.JSON.readTree(body).get(0);
    assertThat(announced.get("id").stringValue()).isEqualTo("big-1");
    assertThat(announced.get("dataref").stringValue())
        .isEqualTo("/api/v1/databases/" + db + "/events/1");
    assertThat(announced.has("data")).as("the data stays behind the reference").isFalse();
    assertThat(body.length()).isLessThan(256 * 1024);
  }

  @Test
  void ninety_eight_events_of_60_kb_are_413_naming_dynamodbs_transaction_limit() {
    String db = api.createDatabase();
    var events = new ArrayList<String>();
    for (int i = 0; i < 98; i++) {
      events.add(eventWithData("e-" + i, 60 * 1024));
    }

    var refused =
        api.postJson(
            "/api/v1/databases/" + db + "/transactions",
            "{\"events\":[" + String.join(",", events) + "]}");

    JsonNode problem = refused.problem(413, "transaction_too_large");
    assertThat(problem.get("limit").longValue()).isEqualTo(4L * 1024 * 1024);
    assertThat(problem.get("limit_name").stringValue()).isEqualTo("DynamoDB transaction size");
    assertThat(problem.get("actual").longValue()).isGreaterThan(98L * 60 * 1024);
    assertThat(problem.get("detail").stringValue()).contains("4194304");
    assertThat(api.revision(db)).isZero();
  }
}
