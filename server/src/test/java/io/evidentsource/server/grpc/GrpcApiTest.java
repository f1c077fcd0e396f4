package io.evidentsource.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import io.cloudevents.v1.proto.CloudEvent;
import io.cloudevents.v1.proto.CloudEvent.CloudEventAttributeValue;
import io.evidentsource.api.ProtoCloudEvents;
import io.evidentsource.api.v1.AppendCondition;
import io.evidentsource.api.v1.Attribute;
import io.evidentsource.api.v1.CreateDatabaseRequest;
import io.evidentsource.api.v1.DeleteDatabaseRequest;
import io.evidentsource.api.v1.EventSelector;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.FailedConditions;
import io.evidentsource.api.v1.GetDatabaseRequest;
import io.evidentsource.api.v1.GetEventRequest;
import io.evidentsource.api.v1.ListDatabasesRequest;
import io.evidentsource.api.v1.QueryEventsRequest;
import io.evidentsource.api.v1.QueryEventsResponse;
import io.evidentsource.api.v1.StoredEvent;
import io.evidentsource.api.v1.SubscribeEventsRequest;
import io.evidentsource.api.v1.SubscribeEventsResponse;
import io.evidentsource.api.v1.TransactRequest;
import io.evidentsource.api.v1.TransactResponse;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.server.Api;
import io.evidentsource.server.GrpcPort;
import io.evidentsource.server.ServerTest;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.config.WasmProperties;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The gRPC API against the real server (random ports), sharing its store with REST. */
@ServerTest
public class GrpcApiTest {
  @Autowired GrpcPort grpcPort;
  @org.springframework.boot.test.web.server.LocalServerPort int httpPort;
  @Autowired EvidentSourceProperties properties;
  @Autowired WasmProperties wasm;

  ManagedChannel channel;
  EvidentSourceGrpc.EvidentSourceBlockingStub stub;

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
    stub = EvidentSourceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  String createDatabase() {
    String name = "g-" + UUID.randomUUID().toString().substring(0, 12).replace("-", "");
    stub.createDatabase(CreateDatabaseRequest.newBuilder().setName(name).build());
    return name;
  }

  static CloudEvent event(String id, String subject) {
    return CloudEvent.newBuilder()
        .setId(id)
        .setSource("https://example.com/orders")
        .setSpecVersion("1.0")
        .setType("com.example.OrderPlaced")
        .putAttributes(
            "subject", CloudEventAttributeValue.newBuilder().setCeString(subject).build())
        .putAttributes(
            "datacontenttype",
            CloudEventAttributeValue.newBuilder().setCeString("application/json").build())
        .setTextData("{\"id\": \"" + id + "\"}")
        .build();
  }

  TransactResponse append(String db, CloudEvent... events) {
    return stub.transact(
        TransactRequest.newBuilder().setDatabase(db).addAllEvents(List.of(events)).build());
  }

  public static ErrorInfo errorInfo(StatusRuntimeException e)
      throws InvalidProtocolBufferException {
    var status = StatusProto.fromThrowable(e);
    assertThat(status).isNotNull();
    for (var any : status.getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        return any.unpack(ErrorInfo.class);
      }
    }
    throw new AssertionError("no ErrorInfo in " + status);
  }

  public static StatusRuntimeException failure(Runnable call, Status.Code code, String reason)
      throws InvalidProtocolBufferException {
    var e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("expected %s / %s", code, reason).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(code);
    var info = errorInfo(e);
    assertThat(info.getReason()).isEqualTo(reason);
    assertThat(info.getDomain()).isEqualTo(GrpcErrors.DOMAIN);
    return e;
  }

  @Nested
  class catalog {
    @Test
    void creates_gets_lists_and_deletes_databases() {
      String db = createDatabase();
      var got = stub.getDatabase(GetDatabaseRequest.newBuilder().setName(db).build()).getDatabase();
      assertThat(got.getName()).isEqualTo(db);
      assertThat(got.getRevision()).isZero();
      assertThat(stub.listDatabases(ListDatabasesRequest.getDefaultInstance()).getDatabasesList())
          .extracting(d -> d.getName())
          .contains(db);
      stub.deleteDatabase(DeleteDatabaseRequest.newBuilder().setName(db).build());
      assertThat(stub.listDatabases(ListDatabasesRequest.getDefaultInstance()).getDatabasesList())
          .extracting(d -> d.getName())
          .doesNotContain(db);
    }

    @Test
    void catalog_errors_carry_standard_codes_and_the_rest_code_as_error_info_reason()
        throws Exception {
      String db = createDatabase();
      failure(
          () -> stub.createDatabase(CreateDatabaseRequest.newBuilder().setName(db).build()),
          Status.Code.ALREADY_EXISTS,
          "database_exists");
      failure(
          () ->
              stub.createDatabase(CreateDatabaseRequest.newBuilder().setName("Not A Name").build()),
          Status.Code.INVALID_ARGUMENT,
          "invalid_database_name");
      var e =
          failure(
              () -> stub.getDatabase(GetDatabaseRequest.newBuilder().setName("no-such-db").build()),
              Status.Code.NOT_FOUND,
              "database_not_found");
      assertThat(errorInfo(e).getMetadataMap()).containsEntry("database", "no-such-db");
    }
  }

  @Nested
  class transactions {
    @Test
    void appends_and_reads_back_an_event_with_its_time_text_data_and_extensions() {
      String db = createDatabase();
      var sent =
          event("e1", "order-1").toBuilder()
              .putAttributes(
                  "time",
                  CloudEventAttributeValue.newBuilder()
                      .setCeTimestamp(
                          ProtoCloudEvents.timestamp(
                              java.time.Instant.parse("2021-08-19T16:16:32.120Z")))
                      .build())
              .putAttributes(
                  ProtoCloudEvents.TIME_TEXT,
                  CloudEventAttributeValue.newBuilder()
                      .setCeString("2021-08-19T12:16:32.12-04:00")
                      .build())
              .putAttributes(
                  "tags",
                  CloudEventAttributeValue.newBuilder().setCeString("order:1,customer:7").build())
              .putAttributes(
                  "priority", CloudEventAttributeValue.newBuilder().setCeInteger(3).build())
              .build();
      var result = append(db, sent);
      assertThat(result.getFirstRevision()).isEqualTo(1);
      assertThat(result.getRevision()).isEqualTo(1);
      assertThat(result.getEventCount()).isEqualTo(1);
      assertThat(result.getDuplicate()).isFalse();

      StoredEvent stored =
          stub.getEvent(GetEventRequest.newBuilder().setDatabase(db).setRevision(1).build())
              .getEvent();
      assertThat(stored.getRevision()).isEqualTo(1);
      assertThat(stored.getRecordedTime()).isEqualTo(result.getRecordedTime());
      // JSON data comes back compact; everything else exactly as sent
      assertThat(stored.getEvent().getTextData()).isEqualTo("{\"id\":\"e1\"}");
      assertThat(stored.getEvent().toBuilder().clearTextData().build())
          .isEqualTo(sent.toBuilder().clearTextData().build());

      // the same event over REST: the exact time text, revision and recordedtime
      var rest = new Api(httpPort).get("/api/v1/databases/" + db + "/events/1").json();
      assertThat(rest.get("time").stringValue()).isEqualTo("2021-08-19T12:16:32.12-04:00");
      assertThat(rest.get("priority").intValue()).isEqualTo(3);
      assertThat(rest.get("data").get("id").stringValue()).isEqualTo("e1");
    }

    @Test
    void binary_and_text_data_round_trip() {
      String db = createDatabase();
      var binary =
          CloudEvent.newBuilder()
              .setId("b")
              .setSource("s")
              .setSpecVersion("1.0")
              .setType("t")
              .setBinaryData(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 255}))
              .build();
      var text =
          CloudEvent.newBuilder()
              .setId("t")
              .setSource("s")
              .setSpecVersion("1.0")
              .setType("t")
              .putAttributes(
                  "datacontenttype",
                  CloudEventAttributeValue.newBuilder().setCeString("text/plain").build())
              .setTextData("  not json \n")
              .build();
      append(db, binary, text);
      assertThat(
              stub.getEvent(GetEventRequest.newBuilder().setDatabase(db).setRevision(1).build())
                  .getEvent()
                  .getEvent())
          .isEqualTo(binary);
      assertThat(
              stub.getEvent(GetEventRequest.newBuilder().setDatabase(db).setRevision(2).build())
                  .getEvent()
                  .getEvent())
          .isEqualTo(text);
    }

    @Test
    void a_retry_with_the_same_transaction_id_returns_the_original_result_as_duplicate() {
      String db = createDatabase();
      var request =
          TransactRequest.newBuilder()
              .setDatabase(db)
              .setTransactionId(UUID.randomUUID().toString())
              .addEvents(event("a", "s"))
              .addEvents(event("b", "s"))
              .build();
      var first = stub.transact(request);
      var retry = stub.transact(request);
      assertThat(retry.getDuplicate()).isTrue();
      assertThat(retry.toBuilder().setDuplicate(false).build()).isEqualTo(first);
      assertThat(
              stub.getDatabase(GetDatabaseRequest.newBuilder().setName(db).build())
                  .getDatabase()
                  .getRevision())
          .isEqualTo(2);
    }

    @Test
    void a_failed_condition_is_failed_precondition_with_every_failed_condition_as_detail()
        throws Exception {
      String db = createDatabase();
      append(db, event("a", "order-1"), event("b", "order-1"));
      var onOrder1 =
          EventSelector.newBuilder()
              .setEquals(
                  EventSelector.Equals.newBuilder()
                      .setAttribute(Attribute.ATTRIBUTE_SUBJECT)
                      .setValue("order-1"))
              .build();
      var request =
          TransactRequest.newBuilder()
              .setDatabase(db)
              .addEvents(event("c", "order-1"))
              .addConditions(
                  AppendCondition.newBuilder()
                      .setMax(
                          AppendCondition.Max.newBuilder().setSelector(onOrder1).setRevision(1)))
              .build();
      var e =
          failure(
              () -> stub.transact(request), Status.Code.FAILED_PRECONDITION, "condition_failed");
      FailedConditions details = null;
      for (var any : StatusProto.fromThrowable(e).getDetailsList()) {
        if (any.is(FailedConditions.class)) {
          details = any.unpack(FailedConditions.class);
        }
      }
      assertThat(details).isNotNull();
      assertThat(details.getHeadRevision()).isEqualTo(2);
      assertThat(details.getFailedConditionsList()).hasSize(1);
      assertThat(details.getFailedConditions(0).getActualRevision()).isEqualTo(2);
      assertThat(details.getFailedConditions(0).getCondition()).isEqualTo(request.getConditions(0));
    }

    @Test
    void invalid_events_and_limits_map_to_invalid_argument_and_resource_exhausted()
        throws Exception {
      String db = createDatabase();
      failure(
          () -> append(db, event("a", "s").toBuilder().setSpecVersion("0.3").build()),
          Status.Code.INVALID_ARGUMENT,
          "unsupported_specversion");
      failure(
          () -> append(db, event("a", "s").toBuilder().setId("").build()),
          Status.Code.INVALID_ARGUMENT,
          "missing_attribute");
      failure(
          () -> stub.transact(TransactRequest.newBuilder().setDatabase(db).build()),
          Status.Code.INVALID_ARGUMENT,
          "empty_transaction");
      failure(
          () ->
              append(
                  db,
                  event("big", "s").toBuilder()
                      .setTextData("\"" + "x".repeat(70_000) + "\"")
                      .build()),
          Status.Code.RESOURCE_EXHAUSTED,
          "event_too_large");
      failure(
          () ->
              append(
                  db,
                  event("t", "s").toBuilder()
                      .putAttributes(
                          "time",
                          CloudEventAttributeValue.newBuilder()
                              .setCeTimestamp(
                                  ProtoCloudEvents.timestamp(
                                      java.time.Instant.parse("2021-08-19T16:16:32Z")))
                              .build())
                      .putAttributes(
                          ProtoCloudEvents.TIME_TEXT,
                          CloudEventAttributeValue.newBuilder()
                              .setCeString("2021-08-19T16:16:33Z")
                              .build())
                      .build()),
          Status.Code.INVALID_ARGUMENT,
          "invalid_attribute");
      failure(
          () ->
              append(
                  db,
                  event("p", "s").toBuilder()
                      .setProtoData(
                          com.google.protobuf.Any.pack(
                              com.google.protobuf.Empty.getDefaultInstance()))
                      .build()),
          Status.Code.INVALID_ARGUMENT,
          "invalid_attribute");
      failure(
          () ->
              append(
                  db,
                  event("r", "s").toBuilder()
                      .putAttributes(
                          "revision", CloudEventAttributeValue.newBuilder().setCeInteger(5).build())
                      .build()),
          Status.Code.INVALID_ARGUMENT,
          "reserved_attribute");
      var batch = new CloudEvent[26];
      for (int i = 0; i < batch.length; i++) {
        batch[i] = event("e" + i, "s");
      }
      failure(() -> append(db, batch), Status.Code.RESOURCE_EXHAUSTED, "batch_too_large");
    }

    @Test
    void a_message_beyond_the_batch_event_and_module_limits_is_refused_by_the_transport() {
      String db = createDatabase();
      int limit = GrpcConfiguration.maxInboundMessageBytes(properties, wasm);
      assertThat((long) limit)
          .as("a module at the module limit fits in one message")
          .isGreaterThan(wasm.maxModuleBytes().toBytes());
      var request =
          TransactRequest.newBuilder()
              .setDatabase(db)
              .addEvents(
                  event("huge", "s").toBuilder().setTextData("\"" + "x".repeat(limit) + "\""))
              .build();
      assertThat(request.getSerializedSize()).isGreaterThan(limit);
      assertThatThrownBy(() -> stub.transact(request))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getStatus().getDescription()).contains("exceeds maximum");
              });
    }
  }

  @Nested
  class queries {
    List<QueryEventsResponse> query(QueryEventsRequest request) {
      var out = new ArrayList<QueryEventsResponse>();
      stub.queryEvents(request).forEachRemaining(out::add);
      return out;
    }

    @Test
    void pages_stream_events_then_an_end_with_the_pinned_snapshot_and_token() {
      String db = createDatabase();
      for (int i = 1; i <= 5; i++) {
        append(db, event("e" + i, i % 2 == 0 ? "even" : "odd"));
      }
      var first = query(QueryEventsRequest.newBuilder().setDatabase(db).setLimit(2).build());
      assertThat(first).hasSize(3);
      assertThat(first.subList(0, 2))
          .extracting(r -> r.getEvent().getRevision())
          .containsExactly(1L, 2L);
      var end = first.get(2).getEnd();
      assertThat(end.getRevision()).isEqualTo(5);
      assertThat(end.getNextPageToken()).isNotEmpty();

      append(db, event("later", "odd")); // not visible on later pages of the same query
      var revisions = new ArrayList<Long>();
      String token = end.getNextPageToken();
      while (!token.isEmpty()) {
        var page =
            query(
                QueryEventsRequest.newBuilder()
                    .setDatabase(db)
                    .setLimit(2)
                    .setPageToken(token)
                    .build());
        page.stream()
            .filter(QueryEventsResponse::hasEvent)
            .forEach(r -> revisions.add(r.getEvent().getRevision()));
        token = page.get(page.size() - 1).getEnd().getNextPageToken();
      }
      assertThat(revisions).containsExactly(3L, 4L, 5L);
    }

    @Test
    void filters_by_selector_or_selector_text_backward() {
      String db = createDatabase();
      for (int i = 1; i <= 5; i++) {
        append(db, event("e" + i, i % 2 == 0 ? "even" : "odd"));
      }
      var text =
          query(
              QueryEventsRequest.newBuilder()
                  .setDatabase(db)
                  .setSelectorText("subject = 'odd'")
                  .setDirection(io.evidentsource.api.v1.Direction.DIRECTION_BACKWARD)
                  .build());
      assertThat(
              text.stream()
                  .filter(QueryEventsResponse::hasEvent)
                  .map(r -> r.getEvent().getRevision()))
          .containsExactly(5L, 3L, 1L);
      var tree =
          query(
              QueryEventsRequest.newBuilder()
                  .setDatabase(db)
                  .setSelector(
                      EventSelector.newBuilder()
                          .setStartsWith(
                              EventSelector.StartsWith.newBuilder()
                                  .setAttribute(Attribute.ATTRIBUTE_SUBJECT)
                                  .setPrefix("ev")))
                  .build());
      assertThat(
              tree.stream()
                  .filter(QueryEventsResponse::hasEvent)
                  .map(r -> r.getEvent().getRevision()))
          .containsExactly(2L, 4L);
    }

    @Test
    void query_errors_are_invalid_argument_or_not_found() throws Exception {
      String db = createDatabase();
      failure(
          () ->
              query(
                  QueryEventsRequest.newBuilder()
                      .setDatabase(db)
                      .setSelectorText("subject = ")
                      .build()),
          Status.Code.INVALID_ARGUMENT,
          "invalid_selector");
      failure(
          () -> query(QueryEventsRequest.newBuilder().setDatabase(db).setLimit(1001).build()),
          Status.Code.INVALID_ARGUMENT,
          "invalid_query");
      failure(
          () ->
              query(
                  QueryEventsRequest.newBuilder().setDatabase(db).setPageToken("nonsense").build()),
          Status.Code.INVALID_ARGUMENT,
          "invalid_page_token");
      failure(
          () ->
              query(
                  QueryEventsRequest.newBuilder()
                      .setDatabase(db)
                      .setRevision(0)
                      .setAsOfTransactionTime(Timestamp.newBuilder().setSeconds(1))
                      .build()),
          Status.Code.INVALID_ARGUMENT,
          "invalid_query");
      failure(
          () -> query(QueryEventsRequest.newBuilder().setDatabase(db).setDirectionValue(7).build()),
          Status.Code.INVALID_ARGUMENT,
          "invalid_query");
      failure(
          () -> query(QueryEventsRequest.newBuilder().setDatabase("no-such-db").build()),
          Status.Code.NOT_FOUND,
          "database_not_found");
      failure(
          () -> stub.getEvent(GetEventRequest.newBuilder().setDatabase(db).setRevision(9).build()),
          Status.Code.NOT_FOUND,
          "revision_not_found");
    }
  }

  @Nested
  class subscriptions {
    @Test
    void catches_up_then_delivers_new_commits_in_order_and_stops_when_cancelled() throws Exception {
      String db = createDatabase();
      append(db, event("a", "x"), event("b", "y"));
      var async = EvidentSourceGrpc.newStub(channel);
      var received = new java.util.concurrent.LinkedBlockingQueue<SubscribeEventsResponse>();
      var done = new CompletableFuture<Throwable>();
      var call = io.grpc.Context.current().withCancellation();
      call.run(
          () ->
              async.subscribeEvents(
                  SubscribeEventsRequest.newBuilder()
                      .setDatabase(db)
                      .setSelectorText("subject = 'x'")
                      .setFromRevision(1)
                      .build(),
                  new StreamObserver<>() {
                    @Override
                    public void onNext(SubscribeEventsResponse value) {
                      received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                      done.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                      done.complete(null);
                    }
                  }));
      assertThat(received.poll(10, TimeUnit.SECONDS).getEvent().getRevision()).isEqualTo(1);
      append(db, event("c", "y"), event("d", "x"));
      assertThat(received.poll(10, TimeUnit.SECONDS).getEvent().getRevision()).isEqualTo(4);
      call.cancel(null);
      var t = done.get(10, TimeUnit.SECONDS);
      assertThat(Status.fromThrowable(t).getCode()).isEqualTo(Status.Code.CANCELLED);
    }

    @Test
    void subscribing_to_a_missing_database_fails_with_not_found() throws Exception {
      failure(
          () -> {
            // the first read of the stream carries the server's answer
            var unused =
                stub.subscribeEvents(
                        SubscribeEventsRequest.newBuilder().setDatabase("no-such-db").build())
                    .hasNext();
          },
          Status.Code.NOT_FOUND,
          "database_not_found");
    }

    @Test
    void deleting_the_database_ends_the_stream_with_not_found() throws Exception {
      String db = createDatabase();
      append(db, event("a", "x"));
      var stream =
          stub.subscribeEvents(
              SubscribeEventsRequest.newBuilder().setDatabase(db).setFromRevision(1).build());
      assertThat(stream.next().getEvent().getRevision()).isEqualTo(1);
      stub.deleteDatabase(DeleteDatabaseRequest.newBuilder().setName(db).build());
      failure(
          () -> {
            while (stream.hasNext()) {
              stream.next();
            }
          },
          Status.Code.NOT_FOUND,
          "database_not_found");
    }
  }

  /**
   * The selector limits REST applies (evidentsource.selector.max-depth / max-terms) hold on every
   * gRPC call that takes a selector: queries (tree and text), subscriptions and transaction
   * conditions; at the limit the selector is accepted.
   */
  @Nested
  class selector_limits {
    @Autowired SelectorLimits limits;

    static EventSelector subject(String prefix) {
      return EventSelector.newBuilder()
          .setStartsWith(
              EventSelector.StartsWith.newBuilder()
                  .setAttribute(Attribute.ATTRIBUTE_SUBJECT)
                  .setPrefix(prefix))
          .build();
    }

    /** An or of {@code n} prefix terms. */
    static EventSelector wide(int n) {
      var or = EventSelector.Selectors.newBuilder();
      for (int i = 0; i < n; i++) {
        or.addSelectors(subject("s" + i));
      }
      return EventSelector.newBuilder().setOr(or).build();
    }

    /** A term wrapped in and-s: {@code depth} levels. */
    static EventSelector deep(int depth) {
      EventSelector s = subject("s");
      for (int level = 1; level < depth; level++) {
        s =
            EventSelector.newBuilder()
                .setAnd(EventSelector.Selectors.newBuilder().addSelectors(s))
                .build();
      }
      return s;
    }

    void tooComplex(Runnable call, String limitName) throws Exception {
      var e = failure(call, Status.Code.INVALID_ARGUMENT, "selector_too_complex");
      assertThat(errorInfo(e).getMetadataMap()).containsEntry("limit_name", limitName);
    }

    void query(String db, QueryEventsRequest.Builder request) {
      stub.queryEvents(request.setDatabase(db).build()).forEachRemaining(r -> {});
    }

    @Test
    void queries_beyond_the_limits_are_selector_too_complex() throws Exception {
      String db = createDatabase();
      append(db, event("a", "s1"));
      query(db, QueryEventsRequest.newBuilder().setSelector(wide(limits.maxTerms())));
      query(db, QueryEventsRequest.newBuilder().setSelector(deep(limits.maxDepth())));
      tooComplex(
          () -> query(db, QueryEventsRequest.newBuilder().setSelector(wide(limits.maxTerms() + 1))),
          SelectorLimits.MAX_TERMS_PROPERTY);
      tooComplex(
          () -> query(db, QueryEventsRequest.newBuilder().setSelector(deep(limits.maxDepth() + 1))),
          SelectorLimits.MAX_DEPTH_PROPERTY);
      String text = "(".repeat(limits.maxDepth() + 1) + "ANY" + ")".repeat(limits.maxDepth() + 1);
      tooComplex(
          () -> query(db, QueryEventsRequest.newBuilder().setSelectorText(text)),
          SelectorLimits.MAX_DEPTH_PROPERTY);
    }

    @Test
    void subscriptions_and_conditions_beyond_the_limits_are_selector_too_complex()
        throws Exception {
      String db = createDatabase();
      tooComplex(
          () -> {
            var unused =
                stub.subscribeEvents(
                        SubscribeEventsRequest.newBuilder()
                            .setDatabase(db)
                            .setSelector(wide(limits.maxTerms() + 1))
                            .build())
                    .hasNext();
          },
          SelectorLimits.MAX_TERMS_PROPERTY);
      var request =
          TransactRequest.newBuilder()
              .setDatabase(db)
              .addEvents(event("c", "s"))
              .addConditions(
                  AppendCondition.newBuilder()
                      .setMax(
                          AppendCondition.Max.newBuilder()
                              .setSelector(deep(limits.maxDepth() + 1))
                              .setRevision(0)))
              .build();
      var e =
          failure(
              () -> stub.transact(request), Status.Code.INVALID_ARGUMENT, "selector_too_complex");
      assertThat(errorInfo(e).getMetadataMap())
          .containsEntry("limit_name", SelectorLimits.MAX_DEPTH_PROPERTY)
          .containsEntry("path", "conditions[0].selector");
      assertThat(append(db, event("c", "s")).getRevision()).isEqualTo(1);
    }
  }

  @Nested
  class standard_services {
    @Test
    void health_reports_serving() {
      var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void reflection_lists_the_evidentsource_service() throws Exception {
      var services = new CompletableFuture<List<String>>();
      var requests =
          ServerReflectionGrpc.newStub(channel)
              .serverReflectionInfo(
                  new StreamObserver<ServerReflectionResponse>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                      services.complete(
                          value.getListServicesResponse().getServiceList().stream()
                              .map(s -> s.getName())
                              .toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                      services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      assertThat(services.get(10, TimeUnit.SECONDS))
          .contains("evidentsource.v1.EvidentSource", "grpc.health.v1.Health");
      requests.onCompleted();
    }
  }
}
