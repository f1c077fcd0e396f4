package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.client.Condition;
import io.evidentsource.client.ConditionFailedException;
import io.evidentsource.client.Event;
import io.evidentsource.client.EvidentSourceClient;
import io.evidentsource.client.EvidentSourceException;
import io.evidentsource.client.Query;
import io.evidentsource.client.Selector;
import io.evidentsource.client.StoredEvent;
import io.evidentsource.client.SubscriptionListener;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The JVM client (module {@code client}) against this server on a random port. */
@ServerTest
class JvmClientTest {
  @Autowired GrpcPort grpcPort;
  EvidentSourceClient client;

  @BeforeEach
  void connect() {
    client =
        EvidentSourceClient.builder()
            .address("127.0.0.1", grpcPort.port())
            .apiKey("test-key")
            .deadline(Duration.ofSeconds(20))
            .build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  static String name() {
    return "c-" + UUID.randomUUID().toString().substring(0, 12).replace("-", "");
  }

  static Event event(String id, String subject) {
    return Event.builder()
        .id(id)
        .source("https://example.com/client")
        .type("com.example.Happened")
        .subject(subject)
        .time("2024-05-01T12:00:00.250+02:00")
        .tags("t:" + subject)
        .jsonData("{\"id\":\"" + id + "\"}")
        .build();
  }

  @Test
  void a_delete_sent_again_with_its_idempotency_key_succeeds_again() {
    String db = name();
    client.createDatabase(db);
    String key = UUID.randomUUID().toString();
    client.deleteDatabase(db, key);
    client.deleteDatabase(db, key); // its answer was lost: the same call again
    assertThat(
            catchThrowableOfType(
                    EvidentSourceException.NotFound.class, () -> client.deleteDatabase(db))
                .code())
        .isEqualTo("database_not_found");
    assertThat(
            catchThrowableOfType(
                    EvidentSourceException.InvalidRequest.class,
                    () -> client.deleteDatabase(db, "with space"))
                .code())
        .isEqualTo("malformed_request");
  }

  @Test
  void manages_the_catalog_and_reports_typed_errors_with_stable_codes() {
    String db = name();
    assertThat(client.createDatabase(db).revision()).isZero();
    assertThat(client.listDatabases()).extracting(d -> d.name()).contains(db);
    assertThat(
            catchThrowableOfType(
                    EvidentSourceException.AlreadyExists.class, () -> client.createDatabase(db))
                .code())
        .isEqualTo("database_exists");
    assertThat(
            catchThrowableOfType(
                    EvidentSourceException.InvalidRequest.class,
                    () -> client.createDatabase("Bad Name"))
                .code())
        .isEqualTo("invalid_database_name");
    client.deleteDatabase(db);
    var missing =
        catchThrowableOfType(EvidentSourceException.NotFound.class, () -> client.database(db));
    assertThat(missing.code()).isEqualTo("database_not_found");
    assertThat(missing.metadata()).containsEntry("database", db);
  }

  /** Publishes the WAT counting view and the echo state change through the gRPC API. */
  void publishComponents(String db) {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
    try {
      var stub = EvidentSourceGrpc.newBlockingStub(channel);
      stub.publishStateView(
          io.evidentsource.api.v1.PublishStateViewRequest.newBuilder()
              .setDatabase(db)
              .setStateViewName("count")
              .setContentType("application/json")
              .setEventSelectorText("subject = 'o1'")
              .setWasm(com.google.protobuf.ByteString.copyFrom(ComponentApiTest.COUNTER))
              .build());
      stub.publishStateChange(
          io.evidentsource.api.v1.PublishStateChangeRequest.newBuilder()
              .setDatabase(db)
              .setStateChangeName("echo")
              .setWasm(com.google.protobuf.ByteString.copyFrom(ComponentApiTest.ECHO))
              .build());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void executes_commands_once_per_transaction_id_and_reads_state_views() {
    String db = name();
    client.createDatabase(db);
    publishComponents(db);
    String decision =
        "{\"events\":[{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"o1\"}],"
            + "\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"equals\",\"attr\":{\"subject\":\"o1\"}},\"revision\":0}]}";
    var id = UUID.randomUUID();
    byte[] body = decision.getBytes(java.nio.charset.StandardCharsets.UTF_8);

    var first = client.executeCommand(db, "echo", null, id, "application/json", body);
    assertThat(first.basisRevision()).isZero();
    assertThat(first.transaction().duplicate()).isFalse();
    assertThat(first.transaction().revision()).isEqualTo(1);
    assertThat(first.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.revision()).isEqualTo(1);
              assertThat(e.event().extensions())
                  .containsEntry("statechange", "echo")
                  .containsEntry("origin", "grpc");
            });
    // the same transaction id again: the original result, not a second decision (whose
    // condition would now fail)
    var again = client.executeCommand(db, "echo", null, id, "application/json", body);
    assertThat(again.transaction().duplicate()).isTrue();
    assertThat(again.transaction().revision()).isEqualTo(1);
    assertThat(again.events()).isEqualTo(first.events());
    // a fresh id decides again, and the decided condition fails
    var conflict =
        catchThrowableOfType(
            ConditionFailedException.class,
            () -> client.executeCommand(db, "echo", decision.replace("\"e1\"", "\"e2\"")));
    assertThat(conflict.code()).isEqualTo("condition_failed");

    var rejected =
        catchThrowableOfType(
            EvidentSourceException.CommandRejected.class,
            () ->
                client.executeCommand(
                    db, "echo", "{\"rejection\":{\"code\":\"no_way\",\"message\":\"not today\"}}"));
    assertThat(rejected.rejectionCode()).isEqualTo("no_way");
    assertThat(rejected.rejectionMessage()).isEqualTo("not today");
    assertThat(
            catchThrowableOfType(
                    EvidentSourceException.NotFound.class,
                    () -> client.executeCommand(db, "nope", "{}"))
                .code())
        .isEqualTo("state_change_not_found");

    client.transact(db, List.of(event("x", "o1"), event("y", "o2")));
    var state = client.readStateView(db, "count", java.util.Map.of());
    assertThat(state.contentText()).isEqualTo("2");
    assertThat(state.revision()).isEqualTo(3);
    assertThat(state.lastModifiedRevision()).isEqualTo(2);
    assertThat(state.contentType()).isEqualTo("application/json");
    var past = client.readStateView(db, "count", 1, java.util.Map.of(), 1L);
    assertThat(past.contentText()).isEqualTo("1");
    assertThat(past.revision()).isEqualTo(1);
    assertThat(
            catchThrowableOfType(
                    EvidentSourceException.NotFound.class,
                    () -> client.readStateView(db, "nope", java.util.Map.of()))
                .code())
        .isEqualTo("state_view_not_found");
  }

  @Test
  void transacts_with_conditions_and_reads_events_back_exactly() {
    String db = name();
    client.createDatabase(db);
    var first = client.transact(db, List.of(event("a", "o1"), event("b", "o2")));
    assertThat(first.firstRevision()).isEqualTo(1);
    assertThat(first.revision()).isEqualTo(2);

    var guarded =
        client.transact(
            db, List.of(event("c", "o1")), List.of(Condition.max(Selector.subject("o1"), 1)));
    assertThat(guarded.revision()).isEqualTo(3);

    var conflict =
        catchThrowableOfType(
            ConditionFailedException.class,
            () ->
                client.transact(
                    db,
                    List.of(event("d", "o1")),
                    List.of(Condition.max(Selector.subject("o1"), 1))));
    assertThat(conflict.code()).isEqualTo("condition_failed");
    assertThat(conflict.failures())
        .containsExactly(new Condition.Failed(Condition.max(Selector.subject("o1"), 1), 3));

    StoredEvent stored = client.event(db, 3);
    assertThat(stored.event().time()).isEqualTo("2024-05-01T12:00:00.250+02:00");
    assertThat(stored.event().dataText()).isEqualTo("{\"id\":\"c\"}");
    assertThat(stored.event().extensions()).containsEntry("tags", "t:o1");
    assertThat(
            catchThrowableOfType(EvidentSourceException.NotFound.class, () -> client.event(db, 99))
                .code())
        .isEqualTo("revision_not_found");
    assertThat(
            catchThrowableOfType(
                    EvidentSourceException.LimitExceeded.class,
                    () -> client.transact(db, java.util.Collections.nCopies(26, event("x", "o9"))))
                .code())
        .isEqualTo("batch_too_large");
  }

  @Test
  void every_error_a_client_request_can_cause_arrives_typed_with_its_stable_code() {
    String db = name();
    client.createDatabase(db);
    client.transact(db, List.of(event("e1", "o1")));
    record Case(String code, Class<? extends EvidentSourceException> type, Runnable call) {}
    Event.Builder base = Event.builder().id("n").source("https://example.com/client").type("T");
    List<Case> cases =
        List.of(
            new Case(
                "database_exists",
                EvidentSourceException.AlreadyExists.class,
                () -> client.createDatabase(db)),
            new Case(
                "invalid_database_name",
                EvidentSourceException.InvalidRequest.class,
                () -> client.createDatabase("-x")),
            new Case(
                "database_not_found",
                EvidentSourceException.NotFound.class,
                () -> client.database("no-such-db")),
            new Case(
                "revision_not_found",
                EvidentSourceException.NotFound.class,
                () -> client.event(db, 42)),
            new Case(
                "duplicate_event_id",
                EvidentSourceException.AlreadyExists.class,
                () -> client.transact(db, List.of(event("e1", "o1")))),
            new Case(
                "condition_failed",
                ConditionFailedException.class,
                () ->
                    client.transact(
                        db,
                        List.of(event("e2", "o1")),
                        List.of(Condition.max(Selector.subject("o1"), 0)))),
            new Case(
                "batch_too_large",
                EvidentSourceException.LimitExceeded.class,
                () -> client.transact(db, java.util.Collections.nCopies(26, event("x", "o9")))),
            new Case(
                "event_too_large",
                EvidentSourceException.LimitExceeded.class,
                () ->
                    client.transact(
                        db, List.of(base.jsonData("\"" + "x".repeat(70_000) + "\"").build()))),
            new Case(
                "attribute_too_long",
                EvidentSourceException.LimitExceeded.class,
                () ->
                    client.transact(
                        db,
                        List.of(
                            Event.builder().id("n").source("s").type("T".repeat(1025)).build()))),
            new Case(
                "reserved_attribute",
                EvidentSourceException.InvalidRequest.class,
                () ->
                    client.transact(
                        db,
                        List.of(
                            Event.builder()
                                .id("n")
                                .source("s")
                                .type("T")
                                .extension("recordedtime", "x")
                                .build()))),
            new Case(
                "invalid_extension_name",
                EvidentSourceException.InvalidRequest.class,
                () ->
                    client.transact(
                        db,
                        List.of(
                            Event.builder()
                                .id("n")
                                .source("s")
                                .type("T")
                                .extension("Bad_Name", "x")
                                .build()))),
            new Case(
                "invalid_tag",
                EvidentSourceException.InvalidRequest.class,
                () ->
                    client.transact(
                        db,
                        List.of(
                            Event.builder().id("n").source("s").type("T").tags("a", "").build()))),
            new Case(
                "invalid_attribute",
                EvidentSourceException.InvalidRequest.class,
                () ->
                    client.transact(
                        db,
                        List.of(
                            Event.builder().id("n").source("s").type("T").subject("").build()))),
            new Case(
                "invalid_query",
                EvidentSourceException.InvalidRequest.class,
                () -> {
                  var unused = client.query(db, Query.all().atRevision(99)).count();
                }));
    for (Case c : cases) {
      EvidentSourceException e = catchThrowableOfType(EvidentSourceException.class, c.call()::run);
      assertThat(e).as(c.code()).isNotNull();
      assertThat(e.code()).as(c.code()).isEqualTo(c.code());
      assertThat(e).as(c.code()).isInstanceOf(c.type());
    }
    assertThat(client.database(db).revision())
        .as("nothing was appended by the failures")
        .isEqualTo(1);
    // a malformed time never leaves the client
    assertThat(
            catchThrowableOfType(
                IllegalArgumentException.class,
                () -> Event.builder().id("n").source("s").type("T").time("yesterday").build()))
        .hasMessageContaining("RFC 3339");
  }

  @Test
  void retries_a_transaction_whose_answer_was_lost_with_the_same_id_and_commits_once() {
    String db = name();
    client.createDatabase(db);
    // the first Transact reaches the server and commits, but the client sees UNAVAILABLE
    var lost = new AtomicInteger();
    ClientInterceptor loseFirstAnswer =
        new ClientInterceptor() {
          @Override
          public <Q, R> ClientCall<Q, R> interceptCall(
              MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            boolean drop =
                method.equals(EvidentSourceGrpc.getTransactMethod()) && lost.getAndIncrement() == 0;
            return new ForwardingClientCall.SimpleForwardingClientCall<>(
                next.newCall(method, options)) {
              @Override
              public void start(Listener<R> listener, Metadata headers) {
                super.start(
                    !drop
                        ? listener
                        : new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                            listener) {
                          @Override
                          public void onMessage(R message) {}

                          @Override
                          public void onClose(Status status, Metadata trailers) {
                            super.onClose(
                                Status.UNAVAILABLE.withDescription("answer lost"), trailers);
                          }
                        },
                    headers);
              }
            };
          }
        };
    ManagedChannel raw =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
    try (var flaky =
        EvidentSourceClient.builder()
            .channel(ClientInterceptors.intercept(raw, loseFirstAnswer))
            .retryBackoff(Duration.ofMillis(10))
            .build()) {
      var result = flaky.transact(db, List.of(event("a", "x"), event("b", "x")));
      assertThat(lost.get()).isEqualTo(2);
      assertThat(result.duplicate()).isTrue();
      assertThat(result.revision()).isEqualTo(2);
      assertThat(client.database(db).revision()).isEqualTo(2);
    } finally {
      raw.shutdownNow();
    }
  }

  @Test
  void queries_page_lazily_at_the_snapshot_of_the_first_page() {
    String db = name();
    client.createDatabase(db);
    for (int i = 0; i < 5; i++) {
      var batch = new java.util.ArrayList<Event>();
      for (int k = 0; k < 5; k++) {
        batch.add(event("e" + i + "-" + k, k % 2 == 0 ? "even" : "odd"));
      }
      client.transact(db, batch);
    }
    try (var events = client.query(db, Query.all().pageSize(10))) {
      var it = events.iterator();
      assertThat(it.next().revision()).isEqualTo(1);
      client.transact(db, List.of(event("late", "even"))); // revision 26: after the snapshot
      var rest = new java.util.ArrayList<Long>();
      it.forEachRemaining(e -> rest.add(e.revision()));
      assertThat(rest).hasSize(24).isSorted();
      assertThat(rest.get(rest.size() - 1)).isEqualTo(25);
    }
    assertThat(
            client
                .query(db, Query.of(Selector.subject("odd")).newestFirst().pageSize(3))
                .map(StoredEvent::revision)
                .collect(Collectors.toList()))
        .hasSize(10)
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(
            catchThrowableOfType(
                    EvidentSourceException.NotFound.class,
                    () -> client.query("no-such-db", Query.all()).findFirst())
                .code())
        .isEqualTo("database_not_found");
  }

  static List<Long> newestFirst(List<Long> revisions) {
    var copy = new java.util.ArrayList<>(revisions);
    java.util.Collections.reverse(copy);
    return copy;
  }

  @Test
  void every_page_of_a_query_reads_the_snapshot_the_first_page_named() {
    String db = name();
    client.createDatabase(db);
    client.transact(db, List.of(event("a1", "a"), event("a2", "a"), event("a3", "a")));
    var asOf = client.transact(db, List.of(event("b1", "b"), event("b2", "b"))).recordedTime();
    client.transact(db, List.of(event("c1", "c")));
    var recordedByThen =
        client
            .query(db, Query.all())
            .filter(e -> !e.recordedTime().isAfter(asOf))
            .map(StoredEvent::revision)
            .collect(Collectors.toList());
    assertThat(recordedByThen).startsWith(1L, 2L, 3L, 4L, 5L);
    assertThat(
            client
                .query(db, Query.all().asOfTransactionTime(asOf).pageSize(2))
                .map(StoredEvent::revision))
        .containsExactlyElementsOf(recordedByThen);
    assertThat(client.query(db, Query.all().atRevision(3).pageSize(1)).map(StoredEvent::revision))
        .containsExactly(1L, 2L, 3L);
    assertThat(
            client
                .query(db, Query.all().atRevision(3).asOfTransactionTime(asOf).newestFirst())
                .map(StoredEvent::revision))
        .containsExactlyElementsOf(newestFirst(recordedByThen));
  }

  @Test
  void subscriptions_deliver_catch_up_and_live_events_to_the_listener_until_closed()
      throws Exception {
    String db = name();
    client.createDatabase(db);
    client.transact(db, List.of(event("a", "x"), event("b", "y")));
    var events = new LinkedBlockingQueue<Long>();
    var errors = new LinkedBlockingQueue<EvidentSourceException>();
    var subscription =
        client.subscribe(
            db,
            Selector.subject("x"),
            1L,
            new SubscriptionListener() {
              @Override
              public void onEvent(StoredEvent event) {
                events.add(event.revision());
              }

              @Override
              public void onError(EvidentSourceException error) {
                errors.add(error);
              }
            });
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(1);
    client.transact(db, List.of(event("c", "y"), event("d", "x")));
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(4);
    subscription.close();
    assertThat(errors.poll(10, TimeUnit.SECONDS).code()).isEqualTo("cancelled");
    client.transact(db, List.of(event("e", "x")));
    assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("nothing after close").isNull();
  }

  @Test
  void a_call_past_its_deadline_fails_with_deadline_exceeded() {
    try (var impatient =
        EvidentSourceClient.builder()
            .address("127.0.0.1", grpcPort.port())
            .deadline(Duration.ofNanos(1))
            .build()) {
      var e =
          catchThrowableOfType(EvidentSourceException.Unavailable.class, impatient::listDatabases);
      assertThat(e.code()).isEqualTo("deadline_exceeded");
    }
  }
}
