package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.SubscribeEventsRequest;
import io.evidentsource.api.v1.SubscribeEventsResponse;
import io.evidentsource.server.live.LiveTails;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * Many live tails at once (its own application context): idle SSE and gRPC subscribers cost no
 * thread each, every one of them still gets each new event, and the caps on open tails per database
 * and per server refuse the next one with 429 / RESOURCE_EXHAUSTED {@code too_many_subscriptions},
 * naming the limit. Heartbeats are frequent so that the server notices closed connections soon (it
 * learns of a close when a write fails).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.port=0",
      "evidentsource.subscriptions.heartbeat-interval=300ms",
      "evidentsource.subscriptions.max-open=" + LiveTailScaleTest.MAX_OPEN,
      "evidentsource.subscriptions.max-open-per-database=" + LiveTailScaleTest.MAX_PER_DATABASE,
    })
@Import(GrpcPort.class)
class LiveTailScaleTest {
  static final int MAX_OPEN = 560;
  static final int MAX_PER_DATABASE = 530;
  private static final int SSE_TAILS = 250;
  private static final int GRPC_TAILS = 250;

  @Autowired GrpcPort grpcPort;
  @Autowired LiveTails liveTails;
  @LocalServerPort int port;
  Api api;
  ManagedChannel channel;
  final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void connect() {
    api = new Api(port);
    // callbacks on the channel's event loop: the client adds no threads as streams multiply
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port())
            .usePlaintext()
            .directExecutor()
            .build();
  }

  @AfterEach
  void disconnect() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    awaitNoneOpen();
  }

  /** Waits until the server noticed every close (at a tail's next heartbeat write). */
  private void awaitNoneOpen() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (liveTails.openCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(liveTails.openCount()).as("tails still open").isZero();
  }

  /** A live tail over a plain socket (no client thread): the answer's status line and body. */
  private Socket sse(String db) throws IOException {
    var socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    socket.setSoTimeout(20_000);
    socket
        .getOutputStream()
        .write(
            ("GET /api/v1/databases/"
                    + db
                    + "/events/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    sockets.add(socket);
    return socket;
  }

  /** Reads until {@code marker} arrived; returns what was read. */
  private static String readUntil(Socket socket, String marker) throws IOException {
    InputStream in = socket.getInputStream();
    var text = new StringBuilder();
    byte[] buffer = new byte[4096];
    while (text.indexOf(marker) < 0) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("closed before '" + marker + "' after: " + text);
      }
      text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
    return text.toString();
  }

  /**
   * Reads until the whole SSE message of {@code revision} arrived (through the blank line that ends
   * it: the heartbeats before it can make a read end inside it); returns that message.
   */
  private static String readEvent(Socket socket, long revision) throws IOException {
    String start = "id:" + revision + "\n";
    String text = readUntil(socket, start);
    var message = new StringBuilder(text.substring(text.indexOf(start)));
    while (message.indexOf("\n\n") < 0) {
      message.append(readUntil(socket, "\n"));
    }
    return message.substring(0, message.indexOf("\n\n"));
  }

  private Socket openSse(String db) throws IOException {
    Socket s = sse(db);
    assertThat(readUntil(s, ":subscribed")).startsWith("HTTP/1.1 200");
    return s;
  }

  /** Collects one gRPC subscription's items. */
  static final class Collector implements StreamObserver<SubscribeEventsResponse> {
    final List<Long> revisions = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> failure = new CompletableFuture<>();

    @Override
    public void onNext(SubscribeEventsResponse value) {
      if (value.hasEvent()) {
        revisions.add(value.getEvent().getRevision());
      }
    }

    @Override
    public void onError(Throwable t) {
      failure.complete(t);
    }

    @Override
    public void onCompleted() {
      failure.complete(null);
    }
  }

  private Collector openGrpc(String db) {
    var c = new Collector();
    EvidentSourceGrpc.newStub(channel)
        .subscribeEvents(SubscribeEventsRequest.newBuilder().setDatabase(db).build(), c);
    return c;
  }

  private void awaitOpen(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (liveTails.openCount() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(liveTails.openCount()).isGreaterThanOrEqualTo(count);
  }

  private static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void five_hundred_idle_tails_add_fewer_than_20_threads_and_all_get_the_next_event()
      throws Exception {
    awaitNoneOpen(); // the other test's tails are gone (counts below are absolute)
    String db = api.createDatabase();
    // warm up: the container's and the gRPC client's pools reach their working size
    var collectors = new ArrayList<Collector>();
    var streams = new ArrayList<Socket>();
    for (int i = 0; i < 10; i++) {
      streams.add(openSse(db));
      collectors.add(openGrpc(db));
      awaitOpen(2 * i + 2);
    }
    Thread.sleep(500);
    int before = threads();

    for (int i = 0; i < SSE_TAILS - 10; i++) {
      streams.add(openSse(db)); // one after the other: the container needs no extra workers
    }
    for (int i = 0; i < GRPC_TAILS - 10; i++) {
      collectors.add(openGrpc(db));
      awaitOpen(SSE_TAILS + 10 + i + 1); // one after the other, as for SSE
    }
    Thread.sleep(1_000); // a few heartbeats go out to every tail
    int after = threads();
    System.out.printf(
        "%d live tails (%d SSE, %d gRPC): %d threads before, %d after%n",
        SSE_TAILS + GRPC_TAILS, SSE_TAILS, GRPC_TAILS, before, after);
    assertThat(after - before)
        .as("threads added by %d idle live tails", SSE_TAILS + GRPC_TAILS - 20)
        .isLessThan(20);

    api.append(db, Api.event(UUID.randomUUID().toString(), "https://example.com/s", "t", "x"));
    for (Socket s : streams) {
      assertThat(readEvent(s, 1)).contains("\"revision\":1");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (Collector c : collectors) {
      while (c.revisions.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(c.revisions).containsExactly(1L);
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void tails_beyond_the_caps_per_database_and_per_server_get_429_too_many_subscriptions()
      throws Exception {
    awaitNoneOpen();
    String crowded = api.createDatabase();
    for (int i = 0; i < MAX_PER_DATABASE; i++) {
      openSse(crowded);
    }
    String refused = readUntil(sse(crowded), "}");
    assertThat(refused).startsWith("HTTP/1.1 429").contains("Retry-After");
    assertThat(refused)
        .contains("\"code\":\"too_many_subscriptions\"")
        .contains("\"limit\":" + MAX_PER_DATABASE)
        .contains("\"limit_name\":\"evidentsource.subscriptions.max-open-per-database\"");
    // the first call on the channel: it connects first, which takes a while on a loaded machine
    var perDatabase = openGrpc(crowded).failure.get(60, TimeUnit.SECONDS);
    assertTooMany(perDatabase, "evidentsource.subscriptions.max-open-per-database");

    String other = api.createDatabase();
    for (int i = MAX_PER_DATABASE; i < MAX_OPEN; i++) {
      openSse(other);
    }
    String another = api.createDatabase();
    assertThat(readUntil(sse(another), "}"))
        .startsWith("HTTP/1.1 429")
        .contains("\"limit_name\":\"evidentsource.subscriptions.max-open\"");
    assertTooMany(
        openGrpc(another).failure.get(60, TimeUnit.SECONDS),
        "evidentsource.subscriptions.max-open");

    // a closed tail gives its place back (once the server noticed the close)
    sockets.get(0).close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String answer;
    do {
      Thread.sleep(100);
      answer = readUntil(sse(another), "\r\n\r\n");
    } while (!answer.startsWith("HTTP/1.1 200") && System.nanoTime() < deadline);
    assertThat(answer).startsWith("HTTP/1.1 200");
  }

  private static void assertTooMany(Throwable failure, String limitName) throws Exception {
    assertThat(failure).isInstanceOf(StatusRuntimeException.class);
    var status = StatusProto.fromThrowable(failure);
    assertThat(status).isNotNull();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
    ErrorInfo info = status.getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("too_many_subscriptions");
    assertThat(info.getMetadataMap()).containsEntry("limit_name", limitName);
  }
}
