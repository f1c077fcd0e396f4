package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.port.StorageCapabilities;
import io.evidentsource.storage.dynamodb.DynamoDbClients;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.DynamoDbTables;
import io.evidentsource.storage.dynamodb.PublishingStorageAdapter;
import io.evidentsource.storage.dynamodb.sns.SnsClients;
import io.evidentsource.storage.dynamodb.sns.SnsFixture;
import io.opentelemetry.api.trace.SpanKind;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The server with profile {@code dynamodb-sns} on the moto server (DynamoDB, SNS and SQS APIs, one
 * request at a time; see {@code MotoServer}): a REST round trip lands in the DynamoDB tables and is
 * announced on the topic; with every request traced, its DynamoDB and SNS requests are spans of the
 * request's trace (OpenTelemetry's AWS SDK instrumentation).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "management.tracing.sampling.probability=1.0")
@Import(CapturedSpans.class)
@ActiveProfiles("dynamodb-sns")
class DynamoDbSnsProfileTest {
  static final String PREFIX = "srv" + UUID.randomUUID().toString().substring(0, 8);
  static final DynamoDbClients.Settings SETTINGS = DynamoDbFixture.settings();
  static final String TOPIC_ARN = MotoProperties.commitsTopic(PREFIX);

  @DynamicPropertySource
  static void moto(DynamicPropertyRegistry registry) {
    MotoProperties.snsProfile(registry, PREFIX, TOPIC_ARN);
    registry.add("evidentsource.dynamodb.publish-sweep", () -> "500ms");
  }

  @LocalServerPort int port;
  @Autowired Storage storage;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  @Test
  void a_rest_round_trip_is_stored_in_dynamodb_and_announced_on_sns() throws Exception {
    var sqs = DynamoDbClients.configure(SqsClient.builder(), SETTINGS).build();
    String queueUrl =
        SnsFixture.subscribedQueue(
            sqs, SnsClients.sns(SETTINGS), TOPIC_ARN, PREFIX + "-listener", true);

    assertThat(api.postJson("/api/v1/databases", "{\"name\":\"orders\"}").status()).isEqualTo(201);
    // the client's trace continues into the notification (W3C traceparent, docs/operations.md)
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    var tx =
        api.post(
            "/api/v1/databases/orders/transactions",
            "application/json",
            """
            {"events":[
              {"specversion":"1.0","id":"o-1","source":"shop","type":"OrderPlaced","subject":"order-1",
               "time":"2026-01-02T03:04:05.678+01:00","data":{"total":12.5}},
              {"specversion":"1.0","id":"o-2","source":"shop","type":"OrderPaid","subject":"order-1"}]}
            """,
            "traceparent",
            "00-" + traceId + "-00f067aa0ba902b7-01");
    assertThat(tx.status()).isEqualTo(201);
    assertThat(tx.json().get("revision").asLong()).isEqualTo(2);

    var page = api.get("/api/v1/databases/orders/events?subject=order-1");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.json().get("events")).hasSize(2);
    assertThat(page.json().get("events").get(0).get("time").stringValue())
        .isEqualTo("2026-01-02T03:04:05.678+01:00");

    // really in DynamoDB: another adapter on the same tables sees the head
    assertThat(storage.log()).isInstanceOf(PublishingStorageAdapter.class);
    assertThat(storage.capabilities())
        .isEqualTo(new StorageCapabilities(StorageCapabilities.Notifications.POLLING, true));
    var other = new DynamoDbStorageAdapter(DynamoDbFixture.client(), new DynamoDbTables(PREFIX));
    assertThat(other.findDatabase(DatabaseName.of("orders")))
        .get()
        .extracting(i -> i.revision())
        .isEqualTo(2L);

    // and announced: the subscribed queue receives the batch
    String body = null;
    String traceparent = null;
    while (body == null) {
      var messages =
          sqs.receiveMessage(
                  b ->
                      b.queueUrl(queueUrl)
                          .maxNumberOfMessages(1)
                          .waitTimeSeconds(1)
                          .messageAttributeNames("All"))
              .messages();
      if (!messages.isEmpty()) {
        body = messages.get(0).body();
        var attribute = messages.get(0).messageAttributes().get("traceparent");
        traceparent = attribute == null ? null : attribute.stringValue();
      }
    }
    assertThat(traceparent).startsWith("00-" + traceId + "-");

    // traced: the append's TransactWriteItems is a child of the storage append span, and the
    // relay's SNS Publish continues the request's trace on the relay's thread
    var write =
        CapturedSpans.await(
            CapturedSpans.awsRequest("DynamoDb", "TransactWriteItems")
                .and(s -> s.getTraceId().equals(traceId)));
    assertThat(write.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(CapturedSpans.byId(write.getParentSpanId()).getName())
        .isEqualTo("evidentsource.storage.append");
    var publish =
        CapturedSpans.await(
            CapturedSpans.awsRequest("Sns", "Publish").and(s -> s.getTraceId().equals(traceId)));
    assertThat(publish.getKind()).isIn(SpanKind.CLIENT, SpanKind.PRODUCER);
    assertThat(body)
        .contains("\"id\":\"o-1\"")
        .contains("\"id\":\"o-2\"")
        .contains("\"revision\":2");

    // the relay's metrics: everything announced (once the relay has moved its watermark), no
    // failed round (docs/operations.md)
    var metrics = Prometheus.scrape(api);
    for (int i = 0; i < 100 && metrics.value("evidentsource_notifications_pending") > 0; i++) {
      Thread.sleep(100);
      metrics = Prometheus.scrape(api);
    }
    assertThat(metrics.has("evidentsource_notifications_pending")).isTrue();
    assertThat(metrics.value("evidentsource_notifications_pending", "database", "orders")).isZero();
    assertThat(metrics.value("evidentsource_notification_relay_errors_total")).isZero();
  }

  @Test
  void a_state_view_published_over_rest_lives_in_the_components_table_and_bucket() {
    assertThat(api.postJson("/api/v1/databases", "{\"name\":\"views\"}").status()).isEqualTo(201);
    var boundary = "b" + UUID.randomUUID();
    var published =
        api.post(
            "/api/v1/databases/views/state-views",
            "multipart/form-data; boundary=" + boundary,
            ComponentApiTest.multipart(
                boundary,
                "{\"state_view_name\":\"count\",\"content_type\":\"application/json\","
                    + "\"event_selector\":{\"type\":\"any\"}}",
                ComponentApiTest.COUNTER));
    assertThat(published.status()).isEqualTo(201);
    api.append("views", Api.event("1", "s", "t", null), Api.event("2", "s", "t", null));
    var read = api.get("/api/v1/databases/views/state-views/count");
    assertThat(read.json().get("content").intValue()).isEqualTo(2);

    // really in DynamoDB and S3: another registry on the same table and bucket has it
    var other =
        DynamoDbFixture.componentRegistry(
            new DynamoDbTables(PREFIX), PREFIX + "-components", false);
    long generation =
        new DynamoDbStorageAdapter(DynamoDbFixture.client(), new DynamoDbTables(PREFIX))
            .findDatabase(DatabaseName.of("views"))
            .orElseThrow()
            .generation();
    var view =
        other
            .find(DatabaseName.of("views"), generation, ComponentKind.STATE_VIEW, "count", null)
            .orElseThrow();
    assertThat(view.id().version()).isEqualTo(1);
    assertThat(other.module(view.id()))
        .hasValueSatisfying(m -> assertThat(m).isEqualTo(ComponentApiTest.COUNTER));

    // a re-created database starts without components
    assertThat(api.delete("/api/v1/databases/views").status()).isEqualTo(204);
    assertThat(api.postJson("/api/v1/databases", "{\"name\":\"views\"}").status()).isEqualTo(201);
    assertThat(api.get("/api/v1/databases/views/state-views").json().get("state_views")).isEmpty();
    api.get("/api/v1/databases/views/state-views/count").problem(404, "state_view_not_found");
  }
}
