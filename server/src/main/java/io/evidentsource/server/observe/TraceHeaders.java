package io.evidentsource.server.observe;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The W3C trace headers ({@code traceparent}, {@code tracestate}) of the current thread's span, as
 * the configured propagator writes them: what a transaction's notification carries
 * (docs/operations.md#traces).
 */
public final class TraceHeaders {
  private TraceHeaders() {}

  /**
   * Reads the current span's headers on the calling thread each time it is asked; empty without a
   * current span.
   */
  public static Supplier<Map<String, String>> of(Tracer tracer, Propagator propagator) {
    return () -> {
      Span span = tracer.currentSpan();
      if (span == null) {
        return Map.of();
      }
      var headers = new LinkedHashMap<String, String>();
      propagator.inject(
          span.context(),
          headers,
          (carrier, key, value) -> {
            if (carrier != null) {
              carrier.put(key, value);
            }
          });
      return headers;
    };
  }
}
