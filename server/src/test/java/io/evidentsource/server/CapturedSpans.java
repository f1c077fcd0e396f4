package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.function.Predicate;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Every span the server ends, kept by the OpenTelemetry SDK's in-memory exporter. Import this
 * configuration and set {@code management.tracing.sampling.probability=1.0} to see every request's
 * spans. (The exporter is not a bean itself: Spring Boot would hand an exporter bean every span a
 * second time.)
 */
@TestConfiguration(proxyBeanMethods = false)
class CapturedSpans {
  static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

  @Bean
  SpanProcessor capturedSpans() {
    return SimpleSpanProcessor.create(SPANS);
  }

  /** The first ended span matching {@code match}, waiting up to 20 s for it. */
  static SpanData await(Predicate<SpanData> match) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      var found = SPANS.getFinishedSpanItems().stream().filter(match).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() > deadline) {
        assertThat(found).as("a matching span among " + names()).isPresent();
      }
      Thread.sleep(20);
    }
  }

  /** The span with this id, if it ended. */
  static SpanData byId(String spanId) {
    return SPANS.getFinishedSpanItems().stream()
        .filter(s -> s.getSpanId().equals(spanId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ended span " + spanId + " among " + names()));
  }

  /** A span of an AWS SDK request: {@code rpc.service} and {@code rpc.method} as given. */
  static Predicate<SpanData> awsRequest(String service, String method) {
    return s ->
        service.equals(s.getAttributes().get(AttributeKey.stringKey("rpc.service")))
            && method.equals(s.getAttributes().get(AttributeKey.stringKey("rpc.method")));
  }

  static List<String> names() {
    return SPANS.getFinishedSpanItems().stream().map(SpanData::getName).toList();
  }
}
