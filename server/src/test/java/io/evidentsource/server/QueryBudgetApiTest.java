package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.QueryEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The per-request query budget over REST and gRPC (issue 18), with a small scan budget (its own
 * application context): a query that needs more index work is refused with 422 {@code
 * query_too_expensive} naming the limit, in JSON pages and NDJSON streams alike, and an {@code or}
 * of a thousand repeated prefixes ordered by effective time costs what one prefix costs.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.grpc.server.port=0", "evidentsource.query.max-scanned-entries=1000"})
@Import(GrpcPort.class)
class QueryBudgetApiTest {
  @Autowired GrpcPort grpcPort;
  @LocalServerPort int port;
  Api api;
  ManagedChannel channel;
  String db;

  @BeforeEach
  void seed() {
    api = new Api(port);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
    db = api.createDatabase();
    // 500 events with distinct subjects s0..s499: 's%' opens 500 postings lists, merges them and
    // visits at least 101 events: more than 1,000 entries
    for (int batch = 0; batch < 20; batch++) {
      var events = new ArrayList<String>();
      for (int i = 0; i < 25; i++) {
        int n = batch * 25 + i;
        events.add(Api.event("e" + n, "https://example.com/budget", "T", "s" + n));
      }
      api.append(db, events.toArray(String[]::new));
    }
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  String path(String query) {
    return "/api/v1/databases/" + db + "/events?" + query;
  }

  @Test
  void a_query_over_the_scan_budget_is_refused_with_422_naming_the_limit() {
    var r = api.get(path("q=" + Api.encode("subject LIKE 's%'") + "&order=effective_time"));
    assertThat(r.status()).as(r.text()).isEqualTo(422);
    assertThat(r.json().get("code").stringValue()).isEqualTo("query_too_expensive");
    assertThat(r.json().get("limit").longValue()).isEqualTo(1000);
    assertThat(r.json().get("detail").stringValue()).contains("1000 index entries");
  }

  @Test
  void an_ndjson_stream_over_the_budget_in_its_first_chunk_gets_the_problem_too() {
    var r =
        api.get(
            path("q=" + Api.encode("subject LIKE 's%'") + "&order=effective_time"),
            "Accept",
            "application/x-ndjson");
    assertThat(r.status()).as(r.text()).isEqualTo(422);
    assertThat(r.json().get("code").stringValue()).isEqualTo("query_too_expensive");
  }

  @Test
  void an_or_of_a_thousand_repeated_prefixes_by_effective_time_costs_one_prefix() {
    // 's1%' covers s1, s10-s19, s100-s199: 111 lists, well within 1,000 entries once the
    // repeated terms are merged (the server would have opened 111,000 lists before)
    // the text form as well, with as many terms as fit a URL
    String q = String.join(" OR ", Collections.nCopies(100, "subject LIKE 's1%'"));
    var r =
        api.postJson(
            "/api/v1/databases/" + db + "/events/query",
            "{\"selector\":"
                + selectorJson(1000)
                + ",\"order\":\"effective_time\",\"limit\":1000}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("events").size()).isEqualTo(111);
    var text = api.events(db, "q=" + Api.encode(q) + "&order=effective_time");
    assertThat(text).hasSize(111);
  }

  static String selectorJson(int terms) {
    var term = "{\"type\":\"starts_with\",\"attr\":{\"subject\":\"s1\"}}";
    return "{\"type\":\"or\",\"selectors\":["
        + String.join(",", Collections.nCopies(terms, term))
        + "]}";
  }

  @Test
  void grpc_query_events_over_the_budget_fails_with_resource_exhausted() {
    var stub = EvidentSourceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    assertThatThrownBy(
            () ->
                stub.queryEvents(
                        QueryEventsRequest.newBuilder()
                            .setDatabase(db)
                            .setSelectorText("subject LIKE 's%'")
                            .build())
                    .forEachRemaining(x -> {}))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              try {
                var info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
                assertThat(info.getReason()).isEqualTo("query_too_expensive");
              } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                throw new AssertionError(x);
              }
            });
  }
}
