package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.evidentsource.client.Event;
import io.evidentsource.client.EvidentSourceClient;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Traces (docs/operations.md#traces): with every request sampled, a REST or gRPC request's span is
 * an ancestor of the transaction's span, which is the parent of its condition check and storage
 * append; a command's component call is a child of the request; a client's W3C {@code traceparent}
 * continues its trace. The spans are read from the OpenTelemetry SDK's in-memory exporter, and the
 * OTLP exporter, configured with an endpoint, sends them to a receiver in this test.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.port=0",
      "management.tracing.sampling.probability=1.0",
      "management.opentelemetry.tracing.export.schedule-delay=100ms",
    })
@Import({GrpcPort.class, TracingTest.Spans.class})
class TracingTest {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_SPAN = "00f067aa0ba902b7";

  /** An OTLP/HTTP receiver: keeps the request bodies the exporter posts to /v1/traces. */
  static final HttpServer OTLP;

  static final List<byte[]> RECEIVED = new CopyOnWriteArrayList<>();

  static {
    try {
      OTLP =
          HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    OTLP.createContext(
        "/v1/traces",
        exchange -> {
          var body = new ByteArrayOutputStream();
          exchange.getRequestBody().transferTo(body);
          RECEIVED.add(body.toByteArray());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    OTLP.start();
  }

  @DynamicPropertySource
  static void otlp(DynamicPropertyRegistry registry) {
    registry.add(
        "management.opentelemetry.tracing.export.otlp.endpoint",
        () -> "http://127.0.0.1:" + OTLP.getAddress().getPort() + "/v1/traces");
  }

  @AfterAll
  static void stopReceiver() {
    OTLP.stop(0);
  }

  /**
   * Every ended span, synchronously, beside the OTLP exporter. (Not a bean itself: Spring Boot
   * would hand an exporter bean every span a second time.)
   */
  static final InMemorySpanExporter spans = InMemorySpanExporter.create();

  @TestConfiguration(proxyBeanMethods = false)
  static class Spans {
    @Bean
    SpanProcessor inMemorySpans() {
      return SimpleSpanProcessor.create(spans);
    }
  }

  @LocalServerPort int port;
  @Autowired GrpcPort grpcPort;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  @Test
  void a_rest_transaction_continues_the_clients_trace_down_to_the_storage_append()
      throws Exception {
    String db = api.createDatabase();
    spans.reset();
    var r =
        api.post(
            "/api/v1/databases/" + db + "/transactions",
            "application/json",
            "{\"events\":["
                + Api.event("t1", "s", "t", null)
                + "],\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"any\"},"
                + "\"revision\":0}]}",
            "traceparent",
            "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01");
    assertThat(r.status()).as(r.text()).isEqualTo(201);

    SpanData request = await(s -> s.getParentSpanId().equals(CLIENT_SPAN));
    assertThat(request.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
    // a recorded request span is named and tagged at its end (UnrecordedSpanReceiverHandler)
    assertThat(request.getName()).isEqualTo("http post /api/v1/databases/{db}/transactions");
    assertThat(request.getAttributes().asMap().toString())
        .contains("http.url=/api/v1/databases/" + db + "/transactions")
        .contains("status=201")
        .contains("outcome=SUCCESS");
    SpanData transaction = await(named("evidentsource.transaction"));
    assertThat(ancestors(transaction)).contains(request.getSpanId());
    assertThat(transaction.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(transaction.getAttributes().asMap().toString())
        .contains("db.namespace=" + db)
        .contains("evidentsource.outcome=committed");
    assertThat(await(named("evidentsource.conditions")).getParentSpanId())
        .isEqualTo(transaction.getSpanId());
    assertThat(await(named("evidentsource.storage.append")).getParentSpanId())
        .isEqualTo(transaction.getSpanId());

    // the OTLP exporter sent the spans to the configured endpoint
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline && !received("evidentsource.storage.append")) {
      Thread.sleep(50);
    }
    assertThat(received("evidentsource.storage.append")).isTrue();
  }

  @Test
  void a_grpc_call_is_the_parent_of_its_transaction() throws Exception {
    String db = api.createDatabase();
    spans.reset();
    try (var client = EvidentSourceClient.builder().address("127.0.0.1", grpcPort.port()).build()) {
      client.transact(db, List.of(sampleEvent()));
    }
    SpanData call = await(s -> s.getKind() == SpanKind.SERVER && s.getName().contains("Transact"));
    SpanData transaction = await(named("evidentsource.transaction"));
    assertThat(ancestors(transaction)).contains(call.getSpanId());
    assertThat(transaction.getTraceId()).isEqualTo(call.getTraceId());
  }

  @Test
  void a_commands_component_call_and_transaction_are_children_of_the_request() throws Exception {
    String db = api.createDatabase();
    var published =
        ComponentApiTest.multipartPublish(
            api,
            "/api/v1/databases/" + db + "/state-changes",
            "{\"state_change_name\":\"echo\"}",
            ComponentApiTest.ECHO);
    assertThat(published.status()).isEqualTo(201);
    spans.reset();
    var r =
        api.postJson(
            "/api/v1/databases/" + db + "/state-changes/echo/commands",
            "{\"events\":[" + Api.event("c1", "s", "t", null) + "]}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    SpanData call = await(named("evidentsource.component.call"));
    SpanData transaction = await(named("evidentsource.transaction"));
    SpanData request =
        await(s -> s.getKind() == SpanKind.SERVER && s.getName().contains("commands"));
    assertThat(ancestors(call)).contains(request.getSpanId());
    assertThat(ancestors(transaction)).contains(request.getSpanId());
    assertThat(call.getAttributes().asMap().toString())
        .contains("evidentsource.component=echo@1")
        .contains("evidentsource.outcome=ok");
  }

  private static Event sampleEvent() {
    return Event.builder().id("g1").source("s").type("t").build();
  }

  /**
   * The ids of a span's ancestors, nearest first (the request's own filters, such as Spring
   * Security's, may open spans between the request and the store).
   */
  private List<String> ancestors(SpanData span) {
    var out = new java.util.ArrayList<String>();
    String parent = span.getParentSpanId();
    while (parent != null && !parent.equals("0000000000000000") && !out.contains(parent)) {
      out.add(parent);
      String id = parent;
      parent =
          spans.getFinishedSpanItems().stream()
              .filter(s -> s.getSpanId().equals(id))
              .map(SpanData::getParentSpanId)
              .findFirst()
              .orElse(null);
    }
    return out;
  }

  private boolean received(String text) {
    return RECEIVED.stream()
        .anyMatch(b -> new String(b, StandardCharsets.ISO_8859_1).contains(text));
  }

  private static Predicate<SpanData> named(String name) {
    return s -> s.getName().equals(name);
  }

  /** The one ended span matching {@code match}, waiting up to 10 s for it. */
  private SpanData await(Predicate<SpanData> match) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      var found = spans.getFinishedSpanItems().stream().filter(match).toList();
      if (found.size() == 1 || System.nanoTime() > deadline) {
        assertThat(found).as("matching spans among " + names()).hasSize(1);
        return found.get(0);
      }
      Thread.sleep(20);
    }
  }

  private List<String> names() {
    return spans.getFinishedSpanItems().stream().map(SpanData::getName).toList();
  }
}
