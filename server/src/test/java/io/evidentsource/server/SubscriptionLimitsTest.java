package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.SubscribeEventsRequest;
import io.evidentsource.api.v1.SubscribeEventsResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * Heartbeats and the cut-off of slow subscribers over both protocols, with a tiny buffer, a short
 * stall and a short heartbeat interval (its own application context).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.port=0",
      "evidentsource.subscriptions.buffer-size=4",
      "evidentsource.subscriptions.max-stall=300ms",
      "evidentsource.subscriptions.heartbeat-interval=100ms",
    })
@Import(GrpcPort.class)
class SubscriptionLimitsTest {
  @Autowired GrpcPort grpcPort;
  @LocalServerPort int port;
  Api api;
  ManagedChannel channel;
  ManagedChannel closeLater;

  @BeforeEach
  void connect() {
    api = new Api(port);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (closeLater != null) {
      closeLater.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  String event(int n) {
    return Api.event(
        "e" + n,
        "https://example.com/limits",
        "com.example.Happened",
        "s",
        "\"data\":{\"pad\":\"" + "x".repeat(2000) + "\"}");
  }

  @Test
  void an_idle_grpc_subscription_receives_heartbeats_with_the_head() {
    String db = api.createDatabase();
    api.append(db, event(1));
    var stream =
        EvidentSourceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .subscribeEvents(
                SubscribeEventsRequest.newBuilder()
                    .setDatabase(db)
                    .setSelectorText("subject = 'nobody'")
                    .setFromRevision(1)
                    .build());
    SubscribeEventsResponse first = stream.next();
    assertThat(first.hasHeartbeat()).isTrue();
    assertThat(first.getHeartbeat().getRevision()).isEqualTo(1);
  }

  @Test
  void an_idle_sse_tail_sends_heartbeat_comments() throws Exception {
    String db = api.createDatabase();
    var response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + port
                                + "/api/v1/databases/"
                                + db
                                + "/events/live"))
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    try (var lines = response.body()) {
      assertThat(
              lines
                  .filter(l -> l.startsWith(":heartbeat") || l.startsWith(": heartbeat"))
                  .findFirst())
          .hasValueSatisfying(l -> assertThat(l).contains("revision=0"));
    }
  }

  @Test
  void a_grpc_subscriber_that_stops_reading_is_cut_off_with_slow_consumer() throws Exception {
    String db = api.createDatabase();
    for (int batch = 0; batch < 20; batch++) {
      var events = new ArrayList<String>();
      for (int i = 0; i < 25; i++) {
        events.add(event(batch * 25 + i));
      }
      api.append(db, events.toArray(String[]::new));
    }
    // 500 events of ~2 KB (1 MB) against a fixed 64 KiB flow-control window (no auto-tuning):
    // far more than the window, grpc's send buffer and our buffer of 4 can hold
    ManagedChannel narrow =
        io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", grpcPort.port())
            .usePlaintext()
            .flowControlWindow(64 * 1024)
            .build();
    closeLater = narrow;
    var stream =
        EvidentSourceGrpc.newBlockingStub(narrow)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .subscribeEvents(
                SubscribeEventsRequest.newBuilder().setDatabase(db).setFromRevision(1).build());
    assertThat(stream.next().getEvent().getRevision()).isEqualTo(1);
    Thread.sleep(
        5_000); // stop reading for far longer than max-stall (300 ms), even on a busy machine
    long last = 1;
    StatusRuntimeException cutOff = null;
    try {
      while (stream.hasNext()) {
        var next = stream.next();
        if (next.hasEvent()) {
          assertThat(next.getEvent().getRevision()).isEqualTo(last + 1);
          last = next.getEvent().getRevision();
        }
      }
    } catch (StatusRuntimeException e) {
      cutOff = e;
    }
    assertThat(cutOff).as("cut off after revision %d", last).isNotNull();
    assertThat(cutOff.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    var info = StatusProto.fromThrowable(cutOff).getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("slow_consumer");
    assertThat(last).isLessThan(500);
  }
}
