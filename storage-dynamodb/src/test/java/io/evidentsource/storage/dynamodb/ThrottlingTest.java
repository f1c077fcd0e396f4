package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.storage.tck.TckFixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers moto cannot give: throttling, transaction conflicts and unprocessed batch keys. The real
 * SDK client and adapter talk HTTP to a scripted DynamoDB endpoint on loopback that returns
 * DynamoDB's own error documents for the first calls of an operation, then success.
 */
class ThrottlingTest {
  private static final DatabaseName DB = DatabaseName.of("orders");
  private static final String HEAD =
      "{\"Item\":{\"name\":{\"S\":\"orders\"},\"generation\":{\"N\":\"1\"},"
          + "\"revision\":{\"N\":\"7\"},\"created_at\":{\"S\":\"2026-01-01T00:00:00Z\"},"
          + "\"revision_time\":{\"S\":\"2026-01-01T00:00:01Z\"}}}";

  private record Reply(int status, String body) {}

  private final Map<String, Deque<Reply>> script = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private HttpServer server;
  private DynamoDbStorageAdapter adapter;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
          String op = target.substring(target.indexOf('.') + 1);
          calls.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
          Deque<Reply> replies = script.get(op);
          Reply reply =
              replies == null || replies.isEmpty() ? new Reply(200, "{}") : replies.poll();
          byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
          exchange.sendResponseHeaders(reply.status(), body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    var settings =
        new DynamoDbClients.Settings(
            "us-east-1", URI.create("http://127.0.0.1:" + server.getAddress().getPort()), 5);
    adapter =
        new DynamoDbStorageAdapter(
            DynamoDbClients.dynamoDb(settings), new DynamoDbTables("stub"), 0);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void then(String operation, int status, String body) {
    script.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(new Reply(status, body));
  }

  private static String error(String type, String extra) {
    return "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
        + type
        + "\",\"message\":\"scripted\""
        + extra
        + "}";
  }

  private static String cancelled(String... codes) {
    var reasons = new StringBuilder();
    for (String c : codes) {
      reasons
          .append(reasons.length() == 0 ? "" : ",")
          .append("{\"Code\":\"")
          .append(c)
          .append("\"}");
    }
    return error("TransactionCanceledException", ",\"CancellationReasons\":[" + reasons + "]");
  }

  @Test
  void a_throttled_read_is_retried_by_the_client_with_backoff() {
    then("GetItem", 400, error("ProvisionedThroughputExceededException", ""));
    then("GetItem", 400, error("ThrottlingException", ""));
    then("GetItem", 200, HEAD);

    var info = adapter.findDatabase(DB);

    assertThat(info).get().extracting(i -> i.revision()).isEqualTo(7L);
    assertThat(calls.get("GetItem")).hasValue(3);
  }

  @Test
  void a_transaction_cancelled_by_throttling_is_retried_and_commits() {
    then("TransactWriteItems", 400, cancelled("ThrottlingError", "None", "None"));
    then("TransactWriteItems", 200, "{}");

    var outcome =
        adapter.append(TckFixtures.append(DB, 1, 7, TckFixtures.events(1), Instant.EPOCH));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            AppendOutcome.Committed.class,
            c -> assertThat(c.result().firstRevision()).isEqualTo(8));
    assertThat(calls.get("TransactWriteItems")).hasValue(2);
  }

  @Test
  void a_transaction_conflict_on_the_head_is_head_moved_with_the_head_read_again() {
    then("TransactWriteItems", 400, cancelled("TransactionConflict", "None", "None"));
    then("GetItem", 200, "{}"); // no idempotency record
    then("GetItem", 200, HEAD);

    var outcome =
        adapter.append(TckFixtures.append(DB, 1, 6, TckFixtures.events(1), Instant.EPOCH));

    assertThat(outcome).isEqualTo(new AppendOutcome.HeadMoved(7));
    assertThat(calls.get("TransactWriteItems")).hasValue(1);
  }

  @Test
  void unprocessed_keys_of_a_batch_get_are_asked_again_until_every_revision_is_read() {
    then("GetItem", 200, HEAD);
    then(
        "BatchGetItem",
        200,
        "{\"Responses\":{\"stub-events\":["
            + eventItem(1)
            + "]},"
            + "\"UnprocessedKeys\":{\"stub-events\":{\"Keys\":[{\"db\":{\"S\":\"orders#1\"},"
            + "\"rev\":{\"N\":\"2\"}}],\"ConsistentRead\":true}}}");
    then("BatchGetItem", 200, "{\"Responses\":{\"stub-events\":[" + eventItem(2) + "]}}");

    var read = adapter.readRevisions(DB, 1, new long[] {2, 1});

    assertThat(read).extracting(e -> e.revision()).containsExactly(2L, 1L);
    assertThat(read).extracting(e -> e.event().id()).containsExactly("e2", "e1");
    assertThat(calls.get("BatchGetItem")).hasValue(2);
  }

  private static String eventItem(int revision) {
    return "{\"db\":{\"S\":\"orders#1\"},\"rev\":{\"N\":\""
        + revision
        + "\"},"
        + "\"tx\":{\"S\":\"00000000-0000-0000-0000-000000000001\"},"
        + "\"rt\":{\"S\":\"2026-01-01T00:00:01Z\"},\"id\":{\"S\":\"e"
        + revision
        + "\"},"
        + "\"src\":{\"S\":\"bank\"},\"type\":{\"S\":\"Posted\"}}";
  }
}
