package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.evidentsource.client.Event;
import io.evidentsource.client.EvidentSourceClient;
import io.evidentsource.client.EvidentSourceException;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.FaultProxy;
import io.evidentsource.storage.dynamodb.FaultProxy.Action;
import io.evidentsource.storage.dynamodb.MotoServer;
import io.evidentsource.storage.dynamodb.sns.SnsClients;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A write whose DynamoDB answer is lost, over REST and gRPC (issue 11, docs/rest.md#errors): the
 * server on profile {@code dynamodb-sns} talks to moto through a {@link FaultProxy} that drops
 * {@code TransactWriteItems} answers (2 SDK attempts per request). The answer is 503 / UNAVAILABLE
 * {@code commit_unknown} with the {@code transaction_id}, and a retry with that id returns the
 * original result; the JVM client makes that retry itself.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.grpc.server.port=0")
@ActiveProfiles("dynamodb-sns")
@Import(GrpcPort.class)
class CommitUnknownTest {
  static final String PREFIX = "cu" + UUID.randomUUID().toString().substring(0, 8);
  static final FaultProxy PROXY = FaultProxy.in(MotoServer.shared().endpoint());
  static final String TRANSACT = "TransactWriteItems";

  @DynamicPropertySource
  static void moto(DynamicPropertyRegistry registry) {
    String topic =
        SnsClients.sns(DynamoDbFixture.settings())
            .createTopic(b -> b.name(PREFIX + "-commits"))
            .topicArn();
    MotoProperties.tables(registry, PROXY.endpoint(), PREFIX);
    registry.add("evidentsource.dynamodb.max-attempts", () -> "2");
    registry.add("evidentsource.sns.topic-arn", () -> topic);
  }

  @LocalServerPort int port;
  @Autowired GrpcPort grpcPort;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
    PROXY.rule((op, body) -> Action.FORWARD);
  }

  @AfterEach
  void heal() {
    PROXY.rule((op, body) -> Action.FORWARD);
  }

  static String name() {
    return "u-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void rest_answers_503_commit_unknown_with_the_transaction_id_and_a_retry_with_it_appends_once() {
    String db = name();
    api.postJson("/api/v1/databases", "{\"name\":\"" + db + "\"}");
    PROXY.rule((op, body) -> op.equals(TRANSACT) ? Action.DROP : Action.FORWARD);
    String events = "[" + Api.event("e-1", "shop", "OrderPlaced", "order-1") + "]";

    var lost =
        api.postJson("/api/v1/databases/" + db + "/transactions", "{\"events\":" + events + "}");

    JsonNode problem = lost.problem(503, "commit_unknown");
    assertThat(lost.header("Retry-After")).isEqualTo("1");
    String id = problem.get("transaction_id").stringValue();
    assertThat(UUID.fromString(id)).isNotNull();
    assertThat(problem.get("detail").stringValue()).contains(id);
    assertThat(api.revision(db)).isZero();

    PROXY.rule((op, body) -> Action.FORWARD);
    var retry =
        api.postJson(
            "/api/v1/databases/" + db + "/transactions",
            "{\"transaction_id\":\"" + id + "\",\"events\":" + events + "}");

    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.json().get("transaction_id").stringValue()).isEqualTo(id);
    assertThat(retry.json().get("revision").asLong()).isEqualTo(1);
    assertThat(api.revision(db)).isEqualTo(1);
  }

  @Test
  void grpc_answers_unavailable_commit_unknown_with_the_transaction_id_in_its_error_info() {
    String db = name();
    try (var client =
        EvidentSourceClient.builder()
            .address("127.0.0.1", grpcPort.port())
            .maxAttempts(1)
            .deadline(Duration.ofSeconds(60))
            .build()) {
      client.createDatabase(db);
      PROXY.rule((op, body) -> op.equals(TRANSACT) ? Action.DROP : Action.FORWARD);
      UUID id = UUID.randomUUID();

      var failure =
          catchThrowableOfType(
              EvidentSourceException.Unavailable.class,
              () -> client.transact(db, id, List.of(event("g-1")), List.of()));

      assertThat(failure.code()).isEqualTo("commit_unknown");
      assertThat(failure.status()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(failure.metadata()).containsEntry("transaction_id", id.toString());
    }
  }

  @Test
  void the_jvm_client_retries_commit_unknown_with_the_same_id_and_gets_the_original_result() {
    String db = name();
    try (var client =
        EvidentSourceClient.builder()
            .address("127.0.0.1", grpcPort.port())
            .deadline(Duration.ofSeconds(60))
            .build()) {
      client.createDatabase(db);
      // both attempts of the server's first write reach DynamoDB (the first commits) and lose
      // their answers, and so do both attempts to read the transaction record afterwards: the
      // server cannot tell and answers commit_unknown; the client's retry finds the record
      var transacts = new AtomicInteger();
      var recordReads = new AtomicInteger();
      PROXY.rule(
          (op, body) -> {
            if (op.equals(TRANSACT)) {
              return transacts.incrementAndGet() <= 2 ? Action.FORWARD_THEN_DROP : Action.FORWARD;
            }
            if (transacts.get() > 0
                && op.equals("GetItem")
                && body.contains(PREFIX + "-transactions")
                && recordReads.incrementAndGet() <= 2) {
              return Action.DROP;
            }
            return Action.FORWARD;
          });

      var result = client.transact(db, List.of(event("j-1"), event("j-2")), List.of());

      assertThat(transacts.get()).isEqualTo(2);
      assertThat(recordReads.get()).isGreaterThan(2);
      assertThat(result.duplicate()).isTrue();
      assertThat(result.firstRevision()).isEqualTo(1);
      assertThat(result.revision()).isEqualTo(2);
      assertThat(client.database(db).revision()).isEqualTo(2);
    }
  }

  static Event event(String id) {
    return Event.builder()
        .id(id)
        .source("https://example.com/client")
        .type("com.example.Happened")
        .jsonData("{}")
        .build();
  }
}
