package io.evidentsource.server.observe;

import io.micrometer.common.KeyValues;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Spring's convention for the {@code http.server.requests} observation of every REST request (the
 * same timer name, tags and span name: docs/operations.md#metrics), at less cost per request
 * (docs/benchmarks.md, observability overhead):
 *
 * <ul>
 *   <li>the low-cardinality key values ({@code exception}, {@code method}, {@code outcome}, {@code
 *       status}, {@code uri}) are computed by Spring's convention once per combination of what they
 *       are computed from (HTTP method, route pattern, status, exception class) and kept, at most
 *       {@link #MAX_KEPT} combinations (beyond them they are computed each time);
 *   <li>the high-cardinality {@code http.url} is given only to a request whose span is recorded: it
 *       is a span tag, and OpenTelemetry drops the tags of a span that is not recorded.
 * </ul>
 */
final class HttpServerRequestConvention extends DefaultServerRequestObservationConvention {
  /** The most combinations of key values kept. */
  static final int MAX_KEPT = 1_000;

  private final ConcurrentHashMap<Inputs, KeyValues> kept = new ConcurrentHashMap<>();

  /**
   * @param name the observation's name, {@code management.observations.http.server.requests.name}
   */
  HttpServerRequestConvention(String name) {
    super(name);
  }

  @Override
  public KeyValues getLowCardinalityKeyValues(ServerRequestObservationContext context) {
    HttpServletRequest request = context.getCarrier();
    HttpServletResponse response = context.getResponse();
    Throwable error = context.getError();
    var inputs =
        new Inputs(
            request == null ? null : request.getMethod(),
            context.getPathPattern(),
            response == null ? -1 : response.getStatus(),
            error == null ? null : error.getClass());
    KeyValues keyValues = kept.get(inputs);
    if (keyValues == null) {
      keyValues = super.getLowCardinalityKeyValues(context);
      if (kept.size() < MAX_KEPT) {
        kept.putIfAbsent(inputs, keyValues);
      }
    }
    return keyValues;
  }

  @Override
  public KeyValues getHighCardinalityKeyValues(ServerRequestObservationContext context) {
    TracingObservationHandler.TracingContext tracing =
        context.get(TracingObservationHandler.TracingContext.class);
    Span span = tracing == null ? null : tracing.getSpan();
    return span == null || span.isNoop()
        ? KeyValues.empty()
        : super.getHighCardinalityKeyValues(context);
  }

  /** How many combinations of key values are kept (at most {@link #MAX_KEPT}). */
  int keptCombinations() {
    return kept.size();
  }

  /** What Spring's low-cardinality key values of a request are computed from. */
  private record Inputs(
      @Nullable String method,
      @Nullable String pathPattern,
      int status,
      @Nullable Class<?> error) {}
}
