package io.evidentsource.server.observe;

import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingAwareMeterObservationHandler;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;

/**
 * Records an observation's meters (the {@code http.server.requests} and {@code grpc.server} timers)
 * inside the observation's span only when that span is sampled. Micrometer Tracing's {@link
 * TracingAwareMeterObservationHandler}, which Spring Boot puts around every meter handler, makes
 * the span current for every stop, so that the timer's Prometheus exemplar can name the trace: on
 * each request that is a context switch and the trace and span ids put into and taken out of the
 * logging context once more. The exemplar sampler takes only sampled spans, so for the others (with
 * the defaults, every request whose trace is not recorded) the timer is recorded as it is, with the
 * same tags and value.
 */
final class SampledScopeMeterObservationHandler<T extends Observation.Context>
    implements MeterObservationHandler<T> {
  private final MeterObservationHandler<T> delegate;
  private final TracingAwareMeterObservationHandler<T> inSpanScope;

  SampledScopeMeterObservationHandler(MeterObservationHandler<T> delegate, Tracer tracer) {
    this.delegate = delegate;
    this.inSpanScope = new TracingAwareMeterObservationHandler<>(delegate, tracer);
  }

  @Override
  public void onStart(T context) {
    delegate.onStart(context);
  }

  @Override
  public void onError(T context) {
    delegate.onError(context);
  }

  @Override
  public void onEvent(Observation.Event event, T context) {
    delegate.onEvent(event, context);
  }

  @Override
  public void onScopeOpened(T context) {
    delegate.onScopeOpened(context);
  }

  @Override
  public void onScopeClosed(T context) {
    delegate.onScopeClosed(context);
  }

  @Override
  public void onStop(T context) {
    TracingObservationHandler.TracingContext tracing =
        context.get(TracingObservationHandler.TracingContext.class);
    @Nullable Span span = tracing == null ? null : tracing.getSpan();
    if (span != null && Boolean.TRUE.equals(span.context().sampled())) {
      inSpanScope.onStop(context);
    } else {
      delegate.onStop(context);
    }
  }

  @Override
  public boolean supportsContext(Observation.Context context) {
    return delegate.supportsContext(context);
  }
}
