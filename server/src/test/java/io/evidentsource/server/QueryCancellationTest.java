package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.api.v1.Attribute;
import io.evidentsource.api.v1.EventSelector;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.QueryEventsRequest;
import io.evidentsource.api.v1.QueryEventsResponse;
import io.evidentsource.server.config.QueryBudgets;
import io.evidentsource.server.request.RequestAdmission;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A REST query whose client goes away stops, and so does a gRPC {@code QueryEvents} its client
 * cancels (docs/limits.md#names-and-queries): its scan is cancelled through the query budget, which
 * {@code evidentsource.query.cancelled} counts, instead of running to its end. The query is an
 * {@code or} of 2,000 distinct three-tag {@code and}s over a database whose events alternate
 * between two disjoint tag sets, so that each {@code and} steps through every event without a
 * match: about twelve million index entries, against the few thousand after which the budget first
 * asks whether the client is still there. The budget's bounds are lifted, so only a cancellation
 * can end it early.
 */
@ServerTest
@TestPropertySource(
    properties = {
      "evidentsource.query.max-scanned-entries=1000000000000",
      "evidentsource.query.timeout=10m",
      "evidentsource.selector.max-terms=100000",
      "evidentsource.max-request-bytes=8MB",
      "evidentsource.max-bulk-bytes=64MB",
    })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class QueryCancellationTest extends ServerTestBase {
  static final int EVENTS = 4_000;
  static final int ANDS = 2_000;

  @Autowired MeterRegistry registry;
  @Autowired GrpcPort grpcPort;
  @Autowired RequestAdmission admission;
  String db;
  String query;
  EventSelector grpcSelector;

  @BeforeAll
  void load() {
    api = new Api(port);
    db = api.createDatabase();
    var ndjson = new StringBuilder();
    for (int i = 0; i < EVENTS; i++) {
      var tags = new StringJoiner(",");
      for (int t = 0; t < 32; t++) {
        tags.add((i % 2 == 0 ? "a" : "b") + t);
      }
      ndjson
          .append(
              Api.event(
                  "e" + i, "https://example.com/cancel", "T", "s", "\"tags\":\"" + tags + "\""))
          .append('\n');
    }
    var loaded =
        api.post("/api/v1/databases/" + db + "/events", "application/x-ndjson", ndjson.toString());
    assertThat(loaded.status()).as(loaded.text()).isIn(200, 201);

    var ands = new StringJoiner(",");
    int n = 0;
    outer:
    for (int i = 0; i < 32; i++) {
      for (int j = i + 1; j < 32; j++) {
        for (int k = 0; k < 32; k++) {
          ands.add(
              "{\"type\":\"and\",\"selectors\":["
                  + tag("a" + i)
                  + ","
                  + tag("a" + j)
                  + ","
                  + tag("b" + k)
                  + "]}");
          if (++n == ANDS) {
            break outer;
          }
        }
      }
    }
    query = "{\"selector\":{\"type\":\"or\",\"selectors\":[" + ands + "]},\"limit\":10}";
    grpcSelector = grpcSelector();
  }

  /** The same {@code or} of {@code and}s as the REST query, as the gRPC API's selector. */
  static EventSelector grpcSelector() {
    var or = EventSelector.Selectors.newBuilder();
    int n = 0;
    for (int i = 0; i < 32 && n < ANDS; i++) {
      for (int j = i + 1; j < 32 && n < ANDS; j++) {
        for (int k = 0; k < 32 && n < ANDS; k++, n++) {
          var and =
              EventSelector.Selectors.newBuilder()
                  .addSelectors(grpcTag("a" + i))
                  .addSelectors(grpcTag("a" + j))
                  .addSelectors(grpcTag("b" + k));
          or.addSelectors(EventSelector.newBuilder().setAnd(and));
        }
      }
    }
    return EventSelector.newBuilder().setOr(or).build();
  }

  static EventSelector grpcTag(String tag) {
    return EventSelector.newBuilder()
        .setEquals(
            EventSelector.Equals.newBuilder().setAttribute(Attribute.ATTRIBUTE_TAG).setValue(tag))
        .build();
  }

  static String tag(String tag) {
    return "{\"type\":\"equals\",\"attr\":{\"tag\":\"" + tag + "\"}}";
  }

  double cancelled() {
    return registry.get(QueryBudgets.CANCELLED_METER).counter().count();
  }

  @Test
  void a_query_whose_client_closed_the_connection_is_cancelled_not_run_to_its_end()
      throws Exception {
    double before = cancelled();
    byte[] body = query.getBytes(StandardCharsets.UTF_8);
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/v1/databases/"
                  + db
                  + "/events/query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } // the client leaves without reading the answer
    while (cancelled() == before) {
      TimeUnit.MILLISECONDS.sleep(10); // bounded by @Timeout; the query alone runs far longer
    }
    assertThat(cancelled()).isEqualTo(before + 1);
  }

  @Test
  void a_grpc_query_its_client_cancels_is_cancelled_and_counted() throws Exception {
    while (admission.inFlight(db) > 0) {
      TimeUnit.MILLISECONDS.sleep(10); // another test's cancelled query is still stopping
    }
    double before = cancelled();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
    var ended = new CompletableFuture<Throwable>();
    try (var context = Context.current().withCancellation()) {
      context.run(
          () ->
              EvidentSourceGrpc.newStub(channel)
                  .queryEvents(
                      QueryEventsRequest.newBuilder()
                          .setDatabase(db)
                          .setSelector(grpcSelector)
                          .setLimit(10)
                          .build(),
                      new StreamObserver<>() {
                        @Override
                        public void onNext(QueryEventsResponse value) {}

                        @Override
                        public void onError(Throwable t) {
                          ended.complete(t);
                        }

                        @Override
                        public void onCompleted() {
                          ended.completeExceptionally(
                              new AssertionError("the query ran to its end"));
                        }
                      }));
      // the call holds its database's admission permit while it queries: it is running
      while (admission.inFlight(db) == 0) {
        TimeUnit.MILLISECONDS.sleep(10); // bounded by @Timeout
      }
      context.cancel(null);
      assertThat(Status.fromThrowable(ended.get()).getCode()).isEqualTo(Status.Code.CANCELLED);
      while (cancelled() == before) {
        TimeUnit.MILLISECONDS.sleep(10); // bounded by @Timeout; the query alone runs far longer
      }
      assertThat(cancelled()).isEqualTo(before + 1);
      while (admission.inFlight(db) > 0) {
        TimeUnit.MILLISECONDS.sleep(10); // the stopped query gives its permit back
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void the_same_query_with_its_client_still_there_runs_to_its_end() {
    double before = cancelled();
    var r = api.postJson("/api/v1/databases/" + db + "/events/query", query);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("events").size()).isZero();
    assertThat(cancelled()).isEqualTo(before);
  }
}
