package io.evidentsource.server.observe;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingAwareMeterObservationHandler;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>When the delegate is Micrometer's {@link DefaultMeterObservationHandler} (Spring Boot's), that
 * unsampled stop also keeps the timer it records into, by observation name, low-cardinality key
 * values and error: the same timer the delegate would look up (tags are the key values plus {@code
 * error}, the error's simple class name or {@code none}), without building the tags and looking the
 * timer up in the registry on every request (docs/benchmarks.md, observability overhead). At most
 * {@link #MAX_CACHED_TIMERS} timers are kept; beyond them, and whenever the observation also
 * carries a long task timer sample, the delegate records as before. A timer removed from the
 * registry afterwards would still be recorded into: nothing in this server removes HTTP or gRPC
 * timers.
 */
final class SampledScopeMeterObservationHandler<T extends Observation.Context>
    implements MeterObservationHandler<T> {
  /** The most timers kept for unsampled stops (distinct name, tag and error combinations). */
  static final int MAX_CACHED_TIMERS = 2_000;

  private final MeterObservationHandler<T> delegate;
  private final TracingAwareMeterObservationHandler<T> inSpanScope;
  private final @Nullable MeterRegistry registry;
  private final ConcurrentHashMap<TimerKey, Timer> timers = new ConcurrentHashMap<>();

  /**
   * @param delegate the meter handler that records
   * @param tracer the tracer whose sampled spans become current for the delegate's stop
   * @param registry the registry the delegate records into, to keep its timers; null keeps none
   *     (and so does a delegate other than {@link DefaultMeterObservationHandler})
   */
  SampledScopeMeterObservationHandler(
      MeterObservationHandler<T> delegate, Tracer tracer, @Nullable MeterRegistry registry) {
    this.delegate = delegate;
    this.inSpanScope = new TracingAwareMeterObservationHandler<>(delegate, tracer);
    this.registry = delegate instanceof DefaultMeterObservationHandler ? registry : null;
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
      return;
    }
    Timer.Sample sample = context.get(Timer.Sample.class);
    String name = context.getName();
    if (registry != null
        && sample != null
        && name != null
        && context.get(LongTaskTimer.Sample.class) == null) {
      sample.stop(timer(registry, name, context));
    } else {
      delegate.onStop(context);
    }
  }

  /** The timer {@link DefaultMeterObservationHandler#onStop} records the context into. */
  private Timer timer(MeterRegistry registry, String name, T context) {
    Throwable error = context.getError();
    var key =
        new TimerKey(
            name,
            context.getLowCardinalityKeyValues(),
            error == null ? "none" : error.getClass().getSimpleName());
    Timer timer = timers.get(key);
    if (timer == null) {
      List<Tag> tags = new ArrayList<>();
      for (KeyValue keyValue : key.keyValues()) {
        tags.add(Tag.of(keyValue.getKey(), keyValue.getValue()));
      }
      tags.add(Tag.of("error", key.error()));
      timer = registry.timer(key.name(), tags);
      if (timers.size() < MAX_CACHED_TIMERS) {
        timers.putIfAbsent(key, timer);
      }
    }
    return timer;
  }

  /** What names a timer: the observation's name, low-cardinality key values and error. */
  private record TimerKey(String name, KeyValues keyValues, String error) {}

  @Override
  public boolean supportsContext(Observation.Context context) {
    return delegate.supportsContext(context);
  }
}
