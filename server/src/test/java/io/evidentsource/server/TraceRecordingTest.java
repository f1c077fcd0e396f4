package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Traces with the defaults and no exporter (docs/operations.md#traces): new traces are not recorded
 * (nothing would receive their spans), a client's sampled {@code traceparent} is, and the HTTP
 * timer's exemplar names the trace of a sampled request only. (With an exporter, {@link
 * TracingTest}, every span arrives; {@link StructuredLogsTest} checks that every log line carries
 * the trace and span ids, recorded or not.)
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.grpc.server.port=0")
class TraceRecordingTest {
  static final String SAMPLED_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String UNSAMPLED_TRACE = "5cf92f3577b34da6a3ce929d0e0e4737";
  static final String CLIENT_SPAN = "00f067aa0ba902b7";

  @LocalServerPort int port;
  @Autowired Sampler sampler;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  @Test
  void new_traces_are_not_recorded_without_an_exporter_but_a_clients_sampled_trace_is() {
    assertThat(decision(Context.root())).isEqualTo(SamplingDecision.DROP);
    assertThat(decision(remoteParent(SAMPLED_TRACE, TraceFlags.getSampled())))
        .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    assertThat(decision(remoteParent(UNSAMPLED_TRACE, TraceFlags.getDefault())))
        .isEqualTo(SamplingDecision.DROP);
  }

  @Test
  void the_http_timers_exemplar_names_a_sampled_requests_trace_and_never_an_unsampled_one() {
    String db = api.createDatabase();
    String path = "/api/v1/databases/" + db + "/transactions";
    // the sampled one first: after an observation the exemplar sampler pauses (90 ms by default)
    var sampled =
        api.post(
            path,
            "application/json",
            "{\"events\":[" + Api.event("s1", "s", "t", null) + "]}",
            "traceparent",
            "00-" + SAMPLED_TRACE + "-" + CLIENT_SPAN + "-01");
    assertThat(sampled.status()).as(sampled.text()).isEqualTo(201);

    var unsampled =
        api.post(
            path,
            "application/json",
            "{\"events\":[" + Api.event("u1", "s", "t", null) + "]}",
            "traceparent",
            "00-" + UNSAMPLED_TRACE + "-" + CLIENT_SPAN + "-00");
    assertThat(unsampled.status()).as(unsampled.text()).isEqualTo(201);
    var scrape =
        api.get("/actuator/prometheus", "Accept", "application/openmetrics-text; version=1.0.0");
    assertThat(scrape.status()).isEqualTo(200);
    List<String> transactionBuckets =
        scrape
            .text()
            .lines()
            .filter(l -> l.startsWith("http_server_requests_seconds_bucket{"))
            .filter(l -> l.contains("uri=\"/api/v1/databases/{db}/transactions\""))
            .toList();
    assertThat(transactionBuckets).isNotEmpty();
    assertThat(transactionBuckets).anyMatch(l -> l.contains("trace_id=\"" + SAMPLED_TRACE + "\""));
    assertThat(scrape.text()).doesNotContain(UNSAMPLED_TRACE);
  }

  private SamplingDecision decision(Context parent) {
    return sampler
        .shouldSample(
            parent,
            "0af7651916cd43dd8448eb211c80319c",
            "http post",
            SpanKind.SERVER,
            Attributes.empty(),
            List.of())
        .getDecision();
  }

  private static Context remoteParent(String traceId, TraceFlags flags) {
    return Context.root()
        .with(
            io.opentelemetry.api.trace.Span.wrap(
                SpanContext.createFromRemoteParent(
                    traceId, CLIENT_SPAN, flags, TraceState.getDefault())));
  }
}
