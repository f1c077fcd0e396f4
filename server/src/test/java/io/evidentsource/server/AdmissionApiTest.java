package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.rpc.ErrorInfo;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.GetDatabaseRequest;
import io.evidentsource.server.request.RequestAdmission;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Fair admission over HTTP (docs/limits.md#requests-in-flight), with tiny bounds: two requests per
 * database, four per API key, one waiting. Requests are held in flight by sending their headers and
 * half of their body (the server admits a request before it reads the body, and holds its place
 * while it waits for the rest), so the test knows exactly which requests are in flight. gRPC calls
 * take their places from the same bounds.
 */
@ServerTest
@TestPropertySource(
    properties = {
      "evidentsource.limits.max-requests-per-database=2",
      "evidentsource.limits.max-requests-per-principal=4",
      "evidentsource.limits.max-queued-requests=1",
      "evidentsource.limits.request-queue-timeout=1m",
      "evidentsource.security.enabled=true",
      "evidentsource.security.api-keys[0].name=alice",
      "evidentsource.security.api-keys[0].sha256=" + AdmissionApiTest.ALICE_HASH,
      "evidentsource.security.api-keys[0].scopes=admin",
      "evidentsource.security.api-keys[1].name=bob",
      "evidentsource.security.api-keys[1].sha256=" + AdmissionApiTest.BOB_HASH,
      "evidentsource.security.api-keys[1].scopes=admin",
    })
@Timeout(120)
class AdmissionApiTest extends ServerTestBase {
  // SHA-256 of "alice-key" and "bob-key"
  static final String ALICE_HASH =
      "72ee9d4355ccb9d3a4c9dbf37382e38e75c1b1a225b5bd1f729ee91bbda30c20";
  static final String BOB_HASH = "9b94dc1a51a38769f135edf04033ad7f2f487b6c25929be7a861cfc1ab10cf98";

  @Autowired RequestAdmission admission;
  @Autowired GrpcPort grpcPort;
  ManagedChannel channel;
  final List<HeldRequest> held = new ArrayList<>();

  @BeforeEach
  void open() {
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
  }

  @AfterEach
  void releaseAll() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    for (HeldRequest r : held) {
      r.socket.close();
    }
    // the server gives their places back once it notices
    await(
        () ->
            admission.inFlightOfPrincipal("alice") == 0
                && admission.inFlightOfPrincipal("bob") == 0);
  }

  /** A transaction whose headers and first half of body were sent; the rest waits. */
  final class HeldRequest {
    final Socket socket;
    final byte[] rest;

    HeldRequest(String db, String key) throws IOException {
      byte[] body =
          ("{\"events\":["
                  + Api.event("e" + System.nanoTime(), "https://example.com/admission", "T", "s")
                  + "]}")
              .getBytes(StandardCharsets.UTF_8);
      int half = body.length / 2;
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/v1/databases/"
                  + db
                  + "/transactions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                  + key
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, half);
      out.flush();
      rest = java.util.Arrays.copyOfRange(body, half, body.length);
      held.add(this);
    }

    /** Sends the rest of the body; returns the status of the answer. */
    int finish() throws IOException {
      socket.getOutputStream().write(rest);
      socket.getOutputStream().flush();
      var in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String status = in.readLine();
      return Integer.parseInt(status.substring(9, 12)); // HTTP/1.1 201 Created
    }
  }

  /** Waits for a state of the server the test cannot see otherwise (bounded by @Timeout). */
  static void await(BooleanSupplier condition) throws InterruptedException {
    while (!condition.getAsBoolean()) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  EvidentSourceGrpc.EvidentSourceBlockingStub grpc(String key) {
    var headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return EvidentSourceGrpc.newBlockingStub(
            ClientInterceptors.intercept(
                channel, MetadataUtils.newAttachHeadersInterceptor(headers)))
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  static GetDatabaseRequest named(String db) {
    return GetDatabaseRequest.newBuilder().setName(db).build();
  }

  String create(String key) {
    String name = "adm-" + Long.toString(System.nanoTime(), 36);
    var r =
        api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"" + name + "\"}",
            "Authorization",
            "Bearer " + key);
    assertThat(r.status()).isEqualTo(201);
    return name;
  }

  Api.Response events(String db, String key) {
    return api.get("/api/v1/databases/" + db + "/events", "Authorization", "Bearer " + key);
  }

  @Test
  void a_flooded_database_queues_then_refuses_while_another_database_is_admitted_at_once()
      throws Exception {
    String flooded = create("alice-key");
    String quiet = create("alice-key");
    var first = new HeldRequest(flooded, "alice-key");
    new HeldRequest(flooded, "alice-key");
    await(() -> admission.inFlight(flooded) == 2);

    // the third waits in the database's queue
    var third = CompletableFuture.supplyAsync(() -> events(flooded, "alice-key"));
    await(() -> admission.waiting(flooded) == 1);

    // the queue is full: the fourth is refused at once, naming the limit
    var refused = events(flooded, "alice-key");
    JsonNode problem = refused.problem(429, "too_many_requests");
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(problem.get("limit").intValue()).isEqualTo(2);
    assertThat(problem.get("limit_name").stringValue())
        .isEqualTo("evidentsource.limits.max-requests-per-database");
    assertThat(problem.get("queue_limit_name").stringValue())
        .isEqualTo("evidentsource.limits.max-queued-requests");
    assertThat(problem.get("database").stringValue()).isEqualTo(flooded);

    // the same over gRPC: the call waits in the same queue, which is full
    var failure = catchThrowable(() -> grpc("alice-key").getDatabase(named(flooded)));
    assertThat(failure).isInstanceOf(StatusRuntimeException.class);
    var status = StatusProto.fromThrowable(failure);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
    ErrorInfo info = status.getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("too_many_requests");
    assertThat(info.getMetadataMap())
        .containsEntry("limit", "2")
        .containsEntry("limit_name", "evidentsource.limits.max-requests-per-database")
        .containsEntry("database", flooded);
    assertThat(grpc("alice-key").getDatabase(named(quiet)).getDatabase().getName())
        .isEqualTo(quiet);

    // meanwhile another database's request is admitted at once, for the same key
    assertThat(events(quiet, "alice-key").status()).isEqualTo(200);
    assertThat(third).isNotDone();

    // a place comes free: the waiting request gets it
    assertThat(first.finish()).isEqualTo(201);
    assertThat(third.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void one_key_over_many_databases_is_bounded_while_another_key_is_admitted() throws Exception {
    String a = create("bob-key");
    String b = create("bob-key");
    String c = create("bob-key");
    var first = new HeldRequest(a, "bob-key");
    new HeldRequest(a, "bob-key");
    new HeldRequest(b, "bob-key");
    new HeldRequest(b, "bob-key");
    await(() -> admission.inFlightOfPrincipal("bob") == 4);

    var fifth = CompletableFuture.supplyAsync(() -> events(c, "bob-key"));
    await(() -> admission.waitingOfPrincipal("bob") == 1);

    JsonNode problem = events(c, "bob-key").problem(429, "too_many_requests");
    assertThat(problem.get("limit").intValue()).isEqualTo(4);
    assertThat(problem.get("limit_name").stringValue())
        .isEqualTo("evidentsource.limits.max-requests-per-principal");
    assertThat(problem.get("principal").stringValue()).isEqualTo("bob");

    // another key reads the same database at once
    assertThat(events(c, "alice-key").status()).isEqualTo(200);

    assertThat(first.finish()).isEqualTo(201);
    assertThat(fifth.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void the_catalog_and_other_databases_stay_open_while_a_database_is_full() throws Exception {
    String flooded = create("alice-key");
    new HeldRequest(flooded, "alice-key");
    new HeldRequest(flooded, "alice-key");
    await(() -> admission.inFlight(flooded) == 2);
    assertThat(api.get("/api/v1/databases", "Authorization", "Bearer bob-key").status())
        .isEqualTo(200);
    // live tails are not counted: they hold no thread and have their own limits
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(60_000);
      socket
          .getOutputStream()
          .write(
              ("GET /api/v1/databases/"
                      + flooded
                      + "/events/live HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer"
                      + " bob-key\r\nAccept: text/event-stream\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      var in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("HTTP/1.1 200");
    }
  }
}
