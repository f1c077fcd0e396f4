package io.evidentsource.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler.IgnoredMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The timers {@link SampledScopeMeterObservationHandler} records unsampled observations into are
 * those Micrometer's {@link DefaultMeterObservationHandler} records them into: same names, tags
 * (key values and {@code error}) and counts, whether it keeps the timer or not.
 */
class SampledScopeMeterObservationHandlerTest {

  @Test
  void records_into_the_timers_micrometers_handler_records_into() {
    assertThat(recorded(true, false)).isEqualTo(recorded(false, false)).hasSize(5);
  }

  @Test
  void with_long_task_timers_it_leaves_the_stop_to_micrometers_handler() {
    assertThat(recorded(true, true)).isEqualTo(recorded(false, true)).hasSize(7);
  }

  @Test
  void keeps_no_more_timers_than_its_cap_and_records_the_others_all_the_same() {
    var registry = new SimpleMeterRegistry();
    var observations = observations(registry, true, false);
    int n = SampledScopeMeterObservationHandler.MAX_CACHED_TIMERS + 50;
    for (int i = 0; i < n; i++) {
      observe(observations, "many", "n", Integer.toString(i), null);
      observe(observations, "many", "n", Integer.toString(i), null);
    }
    assertThat(registry.find("many").timers()).hasSize(n).allMatch(t -> t.count() == 2);
  }

  /** The workload below, recorded by the handler under test or by Micrometer's alone. */
  private static Map<String, Long> recorded(boolean wrapped, boolean longTaskTimers) {
    var registry = new SimpleMeterRegistry();
    var observations = observations(registry, wrapped, longTaskTimers);
    for (int i = 0; i < 3; i++) {
      observe(observations, "http.server.requests", "status", "201", null);
      observe(observations, "http.server.requests", "status", "404", null);
      observe(observations, "http.server.requests", "status", "500", new IllegalStateException());
      observe(observations, "http.server.requests", "status", "500", new RuntimeException() {});
      observe(observations, "grpc.server", "status", "OK", null);
    }
    observe(observations, "http.server.requests", "status", "201", null);
    var meters = new TreeMap<String, Long>();
    for (Meter meter : registry.getMeters()) {
      long count = meter instanceof Timer t ? t.count() : -1;
      meters.put(meter.getId().toString(), count);
    }
    return meters;
  }

  private static ObservationRegistry observations(
      MeterRegistry registry, boolean wrapped, boolean longTaskTimers) {
    var micrometers =
        longTaskTimers
            ? new DefaultMeterObservationHandler(registry)
            : new DefaultMeterObservationHandler(registry, IgnoredMeters.LONG_TASK_TIMER);
    var observations = ObservationRegistry.create();
    observations
        .observationConfig()
        .observationHandler(
            wrapped
                ? new SampledScopeMeterObservationHandler<>(micrometers, Tracer.NOOP, registry)
                : micrometers);
    return observations;
  }

  private static void observe(
      ObservationRegistry registry, String name, String key, String value, Throwable error) {
    Consumer<Observation> work =
        o -> o.lowCardinalityKeyValue(key, value).highCardinalityKeyValue("url", "/x/" + value);
    var observation = Observation.start(name, registry);
    work.accept(observation);
    if (error != null) {
      observation.error(error);
    }
    observation.stop();
  }
}
