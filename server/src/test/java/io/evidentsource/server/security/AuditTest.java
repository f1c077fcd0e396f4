package io.evidentsource.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.GetTransactionRequest;
import io.evidentsource.api.v1.TransactRequest;
import io.evidentsource.server.Api;
import io.evidentsource.server.GrpcPort;
import io.evidentsource.server.ServerTestBase;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Every transaction records who made it and from where (principal, origin, request id, remote
 * address, user agent, recorded time), readable per transaction over REST and gRPC and never added
 * to its events.
 */
@TestPropertySource(
    properties = {
      "evidentsource.security.enabled=true",
      "evidentsource.security.api-keys[0].name=auditor",
      "evidentsource.security.api-keys[0].sha256=" + AuditTest.AUDITOR_HASH,
      "evidentsource.security.api-keys[0].scopes=admin",
      "evidentsource.security.api-keys[1].name=loader",
      "evidentsource.security.api-keys[1].sha256=" + AuditTest.LOADER_HASH,
      "evidentsource.security.api-keys[1].scopes=write:audit-*",
    })
class AuditTest extends ServerTestBase {
  // SHA-256 of "auditor-key" and "loader-key"
  static final String AUDITOR_HASH =
      "4b757dbf2a80635aa58493a3d99640445d25a375b85befb1ea3b7c3c55feabf8";
  static final String LOADER_HASH =
      "54b08ce736591e153109c65b4e1685e98010e3d18c8ea0564944e4274d53f0e8";

  @Autowired GrpcPort grpcPort;

  static final String EVENT =
      "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"audit\",\"type\":\"t\"}";

  String database() {
    String db = "audit-" + UUID.randomUUID().toString().substring(0, 8);
    var r =
        api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"" + db + "\"}",
            "Authorization",
            "Bearer auditor-key");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return db;
  }

  Api.Response audit(String db, String id) {
    return api.get(
        "/api/v1/databases/" + db + "/transactions/" + id, "Authorization", "Bearer auditor-key");
  }

  @Test
  void the_keys_hash_to_the_configured_hashes() {
    assertThat(ApiKeysTest.sha256("auditor-key")).isEqualTo(AUDITOR_HASH);
    assertThat(ApiKeysTest.sha256("loader-key")).isEqualTo(LOADER_HASH);
  }

  @Test
  void a_rest_transaction_records_its_principal_request_id_address_and_user_agent() {
    String db = database();
    String id = UUID.randomUUID().toString();
    var committed =
        api.post(
            "/api/v1/databases/" + db + "/transactions",
            "application/json",
            "{\"transaction_id\":\""
                + id
                + "\",\"events\":["
                + EVENT.formatted("a")
                + ","
                + EVENT.formatted("b")
                + "]}",
            "Authorization",
            "Bearer loader-key",
            "X-Request-Id",
            "req-42",
            "User-Agent",
            "audit-test/1.0");
    assertThat(committed.status()).as(committed.text()).isEqualTo(201);
    assertThat(committed.header("X-Request-Id")).isEqualTo("req-42");

    var record = audit(db, id);
    assertThat(record.status()).as(record.text()).isEqualTo(200);
    var json = record.json();
    assertThat(json.get("transaction_id").stringValue()).isEqualTo(id);
    assertThat(json.get("first_revision").longValue()).isEqualTo(1);
    assertThat(json.get("revision").longValue()).isEqualTo(2);
    assertThat(json.get("event_count").intValue()).isEqualTo(2);
    assertThat(json.get("recorded_time").stringValue())
        .isEqualTo(committed.json().get("recorded_time").stringValue());
    assertThat(json.get("principal").stringValue()).isEqualTo("loader");
    assertThat(json.get("origin").stringValue()).isEqualTo("http");
    assertThat(json.get("request_id").stringValue()).isEqualTo("req-42");
    assertThat(json.get("remote_address").stringValue()).isEqualTo("127.0.0.1");
    assertThat(json.get("user_agent").stringValue()).isEqualTo("audit-test/1.0");

    // the events themselves are as they were sent: nothing of the audit is in the CloudEvent
    var event =
        api.get("/api/v1/databases/" + db + "/events/1", "Authorization", "Bearer auditor-key");
    assertThat(event.json().has("principal")).isFalse();
    assertThat(event.json().has("origin")).isFalse();
    assertThat(event.text()).doesNotContain("req-42").doesNotContain("audit-test/1.0");
  }

  @Test
  void a_request_without_an_id_gets_one_that_is_sent_back_and_recorded() {
    String db = database();
    var committed =
        api.post(
            "/api/v1/databases/" + db + "/events",
            "application/cloudevents+json",
            EVENT.formatted("c"),
            "Authorization",
            "Bearer loader-key",
            "X-Request-Id",
            "not a usable id, it has spaces");
    assertThat(committed.status()).as(committed.text()).isEqualTo(201);
    String requestId = committed.header("X-Request-Id");
    assertThat(UUID.fromString(requestId)).isNotNull();
    var json = audit(db, committed.json().get("transaction_id").stringValue()).json();
    assertThat(json.get("request_id").stringValue()).isEqualTo(requestId);
    assertThat(json.get("principal").stringValue()).isEqualTo("loader");
  }

  @Test
  void an_ndjson_load_records_each_of_its_transactions() {
    String db = database();
    var loaded =
        api.post(
            "/api/v1/databases/" + db + "/events",
            "application/x-ndjson",
            EVENT.formatted("n1") + "\n" + EVENT.formatted("n2") + "\n",
            "Authorization",
            "Bearer loader-key",
            "X-Request-Id",
            "bulk-1");
    assertThat(loaded.status()).as(loaded.text()).isEqualTo(201);
    // a key that may only write cannot read the audit
    api.get(
            "/api/v1/databases/" + db + "/transactions/" + UUID.randomUUID(),
            "Authorization",
            "Bearer loader-key")
        .problem(403, "forbidden");
  }

  @Test
  void a_commands_transaction_records_origin_command_and_its_events_name_the_principal() {
    String db = database();
    var boundary = "b" + UUID.randomUUID();
    var published =
        api.post(
            "/api/v1/databases/" + db + "/state-changes",
            "multipart/form-data; boundary=" + boundary,
            io.evidentsource.server.ComponentApiTest.multipart(
                boundary,
                "{\"state_change_name\":\"echo\"}",
                io.evidentsource.server.ComponentApiTest.wat("echo-decide.wat")),
            "Authorization",
            "Bearer auditor-key");
    assertThat(published.status()).as(published.text()).isEqualTo(201);
    var executed =
        api.post(
            "/api/v1/databases/" + db + "/state-changes/echo/commands",
            "application/json",
            "{\"events\":[" + EVENT.formatted("cmd-1") + "]}",
            "Authorization",
            "Bearer loader-key",
            "X-Request-Id",
            "cmd-req");
    assertThat(executed.status()).as(executed.text()).isEqualTo(201);
    var id = executed.json().get("transaction").get("transaction_id").stringValue();
    var json = audit(db, id).json();
    assertThat(json.get("origin").stringValue()).isEqualTo("command");
    assertThat(json.get("principal").stringValue()).isEqualTo("loader");
    assertThat(json.get("request_id").stringValue()).isEqualTo("cmd-req");
    // the decided events carry the command's provenance, as before, now with the principal
    var event =
        api.get("/api/v1/databases/" + db + "/events/1", "Authorization", "Bearer auditor-key");
    assertThat(event.json().get("principal").stringValue()).isEqualTo("loader");
    assertThat(event.json().get("origin").stringValue()).isEqualTo("http");
  }

  @Test
  void an_unknown_or_malformed_id_is_refused_naming_it() {
    String db = database();
    var unknown = audit(db, UUID.randomUUID().toString());
    unknown.problem(404, "transaction_not_found");
    audit(db, "not-a-uuid").problem(400, "invalid_query");
    audit("audit-missing-db", UUID.randomUUID().toString()).problem(404, "database_not_found");
  }

  @Test
  void a_grpc_transaction_records_origin_grpc_and_is_readable_over_grpc() throws Exception {
    String db = database();
    var channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port())
            .usePlaintext()
            .userAgent("audit-grpc-test")
            .build();
    try {
      var loaderHeaders = new Metadata();
      loaderHeaders.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer loader-key");
      loaderHeaders.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), "g-7");
      var answerHeaders = new java.util.concurrent.atomic.AtomicReference<Metadata>();
      var answerTrailers = new java.util.concurrent.atomic.AtomicReference<Metadata>();
      var loader =
          EvidentSourceGrpc.newBlockingStub(channel)
              .withInterceptors(
                  MetadataUtils.newAttachHeadersInterceptor(loaderHeaders),
                  MetadataUtils.newCaptureMetadataInterceptor(answerHeaders, answerTrailers));
      var event =
          io.cloudevents.v1.proto.CloudEvent.newBuilder()
              .setId("g1")
              .setSource("audit")
              .setSpecVersion("1.0")
              .setType("t")
              .build();
      var result =
          loader.transact(TransactRequest.newBuilder().setDatabase(db).addEvents(event).build());
      assertThat(
              answerHeaders
                  .get()
                  .get(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER)))
          .isEqualTo("g-7");

      var auditorHeaders = new Metadata();
      auditorHeaders.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer auditor-key");
      var auditor =
          EvidentSourceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auditorHeaders));
      var audit =
          auditor
              .getTransaction(
                  GetTransactionRequest.newBuilder()
                      .setDatabase(db)
                      .setTransactionId(result.getTransactionId())
                      .build())
              .getTransaction();
      assertThat(audit.getPrincipal()).isEqualTo("loader");
      assertThat(audit.getOrigin()).isEqualTo("grpc");
      assertThat(audit.getRequestId()).isEqualTo("g-7");
      assertThat(audit.getRemoteAddress()).isEqualTo("127.0.0.1");
      assertThat(audit.getUserAgent()).startsWith("audit-grpc-test");
      assertThat(audit.getFirstRevision()).isEqualTo(1);
      assertThat(audit.getRevision()).isEqualTo(1);

      // the same record over REST
      var rest = audit(db, result.getTransactionId()).json();
      assertThat(rest.get("origin").stringValue()).isEqualTo("grpc");
      assertThat(rest.get("request_id").stringValue()).isEqualTo("g-7");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
