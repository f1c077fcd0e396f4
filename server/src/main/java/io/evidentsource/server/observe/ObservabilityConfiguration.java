package io.evidentsource.server.observe;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.server.observation.ServerRequestObservationConvention;

/**
 * The observability beans (docs/operations.md): the {@link EventStoreObserver} the core reports to,
 * bound to Micrometer and the tracer, the capped tags, the per-database gauges with their periodic
 * refresh from storage, and the live-tail and fold-cache gauges.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ObservabilityProperties.class)
class ObservabilityConfiguration {

  @Bean
  DatabaseTags databaseTags(ObservabilityProperties properties) {
    return new DatabaseTags(properties.maxTaggedDatabases(), properties.maxTaggedComponents());
  }

  @Bean
  DatabaseGauges databaseGauges(
      MeterRegistry registry, DatabaseTags tags, ObjectProvider<Storage> storage) {
    // read lazily: on the DynamoDB profiles the storage is built with the gauges in hand
    return new DatabaseGauges(registry, tags, () -> storage.getObject().log().listDatabases());
  }

  /** Refreshes the per-database gauges from storage, at start and every {@code gauge-refresh}. */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService databaseGaugeRefresh(
      DatabaseGauges gauges, ObservabilityProperties properties) {
    var executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              var t = new Thread(r, "evidentsource-gauge-refresh");
              t.setDaemon(true);
              return t;
            });
    long ms = properties.gaugeRefresh().toMillis();
    // runs until the context closes the executor; a failed refresh is caught inside refresh()
    var unused = executor.scheduleWithFixedDelay(gauges::refresh, 0, ms, TimeUnit.MILLISECONDS);
    return executor;
  }

  /**
   * The core's observer: on unless {@code evidentsource.observability.enabled=false}, which leaves
   * the core reporting to nothing (no domain metrics, spans or slow logs; used to measure their
   * overhead, docs/benchmarks.md).
   */
  @Bean
  @ConditionalOnBooleanProperty(name = "evidentsource.observability.enabled", matchIfMissing = true)
  EventStoreObserver eventStoreObserver(
      MeterRegistry registry,
      DatabaseTags tags,
      DatabaseGauges gauges,
      ObjectProvider<Tracer> tracers,
      ObjectProvider<Propagator> propagators,
      ObservabilityProperties properties) {
    Tracer available = tracers.getIfAvailable();
    Tracer tracer = available == Tracer.NOOP ? null : available;
    Propagator propagator = propagators.getIfAvailable();
    return new MicrometerObserver(
        registry,
        tags,
        properties.maxTaggedDatabases(),
        gauges,
        tracer,
        tracer != null && propagator != null ? TraceHeaders.of(tracer, propagator) : Map::of,
        properties.slowQuery(),
        properties.slowAppend());
  }

  /** {@code evidentsource.subscription.lag.events} and the per-database subscription counts. */
  @Bean
  MeterBinder subscriptionMetrics(SubscriptionEngine engine, DatabaseGauges gauges) {
    gauges.followSubscriptions(engine::openSubscriptions);
    return registry ->
        Gauge.builder(
                "evidentsource.subscription.lag.events",
                engine,
                e ->
                    e.openSubscriptions().stream()
                        .mapToLong(SubscriptionEngine.OpenSubscription::lag)
                        .max()
                        .orElse(0))
            .description(
                "Largest lag among open live tails: committed revisions its subscriber has not"
                    + " consumed yet")
            .register(registry);
  }

  /** The request id of every HTTP request, in the logs and the {@code X-Request-Id} header. */
  /**
   * The convention of the REST requests' {@code http.server.requests} observation, which Spring
   * Boot's web MVC observation filter takes instead of Spring's: the same key values at less cost
   * ({@link HttpServerRequestConvention}).
   */
  @Bean
  ServerRequestObservationConvention httpServerRequestConvention(Environment environment) {
    return new HttpServerRequestConvention(
        environment.getProperty(
            "management.observations.http.server.requests.name", "http.server.requests"));
  }

  @Bean
  FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
    var registration = new FilterRegistrationBean<>(new RequestIdFilter());
    // inside the HTTP observation filter (which opens the request's span), outside the rest
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
    registration.setAsyncSupported(true);
    return registration;
  }

  /**
   * The {@code storage} health contributor, part of the readiness group: DOWN while the storage
   * does not answer (docs/operations.md#health-and-readiness).
   */
  @Bean
  HealthIndicator storageHealthIndicator(Storage storage) {
    return new StorageHealthIndicator(storage);
  }

  /** {@code evidentsource.ready}: 1 while the application accepts traffic, else 0. */
  @Bean
  MeterBinder readinessMetric(ApplicationAvailability availability) {
    return registry ->
        Gauge.builder(
                "evidentsource.ready",
                availability,
                a -> a.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC ? 1 : 0)
            .description("1 while the instance accepts traffic (its readiness state), else 0")
            .register(registry);
  }

  /** The estimated heap of the in-memory indexes, a cache of the log (docs/operations.md). */
  @Bean
  MeterBinder indexCacheMetrics(EventStore store) {
    return registry ->
        Gauge.builder("evidentsource.index.cache", store, EventStore::indexCacheBytes)
            .description(
                "Estimated heap held by the in-memory indexes of all databases (a cache of the"
                    + " log, kept until a database is deleted)")
            .baseUnit("bytes")
            .register(registry);
  }

  /** The state-view fold cache's weight and size. */
  @Bean
  MeterBinder stateViewCacheMetrics(StateViews views) {
    return registry -> {
      Gauge.builder("evidentsource.state.view.cache", views, StateViews::cachedBytes)
          .description("Weight of the state-view fold cache: state bytes plus per-fold overhead")
          .baseUnit("bytes")
          .register(registry);
      Gauge.builder("evidentsource.state.view.cache.folds", views, StateViews::cachedFolds)
          .description("Folds held in the state-view cache")
          .register(registry);
    };
  }
}
