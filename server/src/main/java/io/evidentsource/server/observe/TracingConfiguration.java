package io.evidentsource.server.observe;

import io.evidentsource.server.observe.ObservabilityProperties.RecordSpans;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler;
import io.micrometer.observation.ObservationRegistry.ObservationConfig;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationHandlerGroup;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * What tracing does per request (docs/operations.md#traces), so that it costs little when nothing
 * receives its spans:
 *
 * <ul>
 *   <li>the OpenTelemetry {@link Sampler}: with {@code evidentsource.observability.record-spans} at
 *       its default {@code when-exported} and no span exporter (no OTLP endpoint) nor span
 *       processor of one's own, new traces are not recorded: every request still has a trace id and
 *       span id (in its log lines, propagated in {@code traceparent}), its spans are not built. A
 *       client's sampled {@code traceparent} is honoured either way, so the sampled flag it passes
 *       on stays the client's. Otherwise (or with {@code always}) new traces are sampled with
 *       {@code management.tracing.sampling.probability}, as Spring Boot's own sampler does;
 *   <li>the observation handler group of Spring Boot's tracing support, replaced by one that wraps
 *       the meter handlers in {@link SampledScopeMeterObservationHandler} instead of Micrometer
 *       Tracing's {@code TracingAwareMeterObservationHandler}: the HTTP and gRPC timers are
 *       recorded inside the request's span only when that span is sampled (for its exemplar), and
 *       otherwise into a timer kept by its tags;
 *   <li>in that group, Micrometer Tracing's handler for received requests replaced by {@link
 *       UnrecordedSpanReceiverHandler}, which does not tag and rename a span that is not recorded.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {
  /** The name of Spring Boot's tracing observation handler group bean. */
  static final String TRACING_GROUP_BEAN = "tracingObservationHandlerGroup";

  /**
   * Replaces Spring Boot's sampler ({@code @ConditionalOnMissingBean}): {@link #sampler(double,
   * RecordSpans, boolean)}.
   */
  @Bean
  Sampler evidentsourceSampler(
      Environment environment,
      ObservabilityProperties properties,
      ObjectProvider<SpanExporter> exporters,
      ObjectProvider<SpanProcessor> processors) {
    double probability =
        environment.getProperty("management.tracing.sampling.probability", Double.class, 0.1);
    boolean received =
        exporters.stream().findAny().isPresent()
            || processors.stream().anyMatch(p -> !(p instanceof BatchSpanProcessor));
    return sampler(probability, properties.recordSpans(), received);
  }

  /**
   * The sampler: Spring Boot's ({@code parentBased(traceIdRatioBased(probability))}) when spans are
   * received or {@code always} is asked for, else {@code parentBased(alwaysOff())}: new traces are
   * not recorded, a parent's decision (a client's {@code traceparent}) is followed.
   *
   * @param probability {@code management.tracing.sampling.probability}, 0 to 1
   * @param recordSpans {@code evidentsource.observability.record-spans}
   * @param received whether a span exporter or a span processor of one's own is configured
   */
  static Sampler sampler(double probability, RecordSpans recordSpans, boolean received) {
    if (received || recordSpans == RecordSpans.ALWAYS) {
      return Sampler.parentBased(Sampler.traceIdRatioBased(probability));
    }
    return Sampler.parentBased(Sampler.alwaysOff());
  }

  /**
   * Swaps Spring Boot's tracing observation handler group for {@link SampledSpanHandlerGroup},
   * which groups the same handlers but wraps the meter handlers in {@link
   * SampledScopeMeterObservationHandler}.
   */
  @Bean
  static BeanPostProcessor sampledScopeMeterHandlers(
      ObjectProvider<Tracer> tracer,
      ObjectProvider<Propagator> propagator,
      ObjectProvider<MeterRegistry> registry) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String name) {
        if (TRACING_GROUP_BEAN.equals(name)
            && bean instanceof ObservationHandlerGroup group
            && group.handlerType() == TracingObservationHandler.class) {
          return new SampledSpanHandlerGroup(
              tracer.getObject(), propagator.getIfAvailable(), registry.getIfAvailable());
        }
        return bean;
      }
    };
  }

  /**
   * Spring Boot's tracing group (tracing and meter handlers, the tracing handlers first, ahead of
   * any group of meter handlers alone), with the meter handlers wrapped in {@link
   * SampledScopeMeterObservationHandler} and Micrometer Tracing's receiver handler replaced by
   * {@link UnrecordedSpanReceiverHandler}.
   */
  static final class SampledSpanHandlerGroup implements ObservationHandlerGroup {
    private final Tracer tracer;
    private final @Nullable Propagator propagator;
    private final @Nullable MeterRegistry registry;

    /**
     * @param tracer the tracer
     * @param propagator the propagator the receiver handler extracts {@code traceparent} with; null
     *     keeps Micrometer Tracing's receiver handler
     * @param registry the registry the meter handlers record into; null keeps no timers
     */
    SampledSpanHandlerGroup(
        Tracer tracer, @Nullable Propagator propagator, @Nullable MeterRegistry registry) {
      this.tracer = tracer;
      this.propagator = propagator;
      this.registry = registry;
    }

    @Override
    public boolean isMember(ObservationHandler<?> handler) {
      return handler instanceof MeterObservationHandler<?>
          || handler instanceof TracingObservationHandler<?>;
    }

    @Override
    public int compareTo(ObservationHandlerGroup other) {
      if (other instanceof SampledSpanHandlerGroup) {
        return 0;
      }
      return MeterObservationHandler.class.isAssignableFrom(other.handlerType()) ? -1 : 1;
    }

    @Override
    public void registerMembers(ObservationConfig config, List<ObservationHandler<?>> members) {
      List<ObservationHandler<?>> tracing = new ArrayList<>(members.size());
      List<ObservationHandler<?>> meters = new ArrayList<>(members.size());
      for (ObservationHandler<?> member : members) {
        if (member instanceof MeterObservationHandler<?> meter
            && !(member instanceof SampledScopeMeterObservationHandler<?>)) {
          meters.add(wrap(meter));
        } else if (member.getClass() == PropagatingReceiverTracingObservationHandler.class
            && propagator != null) {
          tracing.add(new UnrecordedSpanReceiverHandler(tracer, propagator));
        } else {
          tracing.add(member);
        }
      }
      register(config, tracing);
      register(config, meters);
    }

    private <T extends io.micrometer.observation.Observation.Context>
        SampledScopeMeterObservationHandler<T> wrap(MeterObservationHandler<T> meter) {
      return new SampledScopeMeterObservationHandler<>(meter, tracer, registry);
    }

    private static void register(ObservationConfig config, List<ObservationHandler<?>> handlers) {
      if (handlers.size() == 1) {
        config.observationHandler(handlers.get(0));
      } else if (!handlers.isEmpty()) {
        config.observationHandler(new FirstMatchingCompositeObservationHandler(handlers));
      }
    }

    @Override
    public Class<?> handlerType() {
      return TracingObservationHandler.class;
    }
  }
}
