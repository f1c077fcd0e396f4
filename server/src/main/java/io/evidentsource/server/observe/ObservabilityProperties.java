package io.evidentsource.server.observe;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Observability settings, bound from {@code evidentsource.observability.*} (docs/operations.md).
 *
 * <p>{@code evidentsource.observability.enabled=false} (read by {@link ObservabilityConfiguration})
 * turns the core's reports off altogether.
 *
 * @param slowQuery a read (query page, NDJSON export, single event, live-tail read) that takes at
 *     least this long is logged at WARN with its database, kind, query and duration; 0 turns the
 *     log off
 * @param slowAppend a transaction that takes at least this long is logged at WARN with its
 *     database, outcome, event count and duration; 0 turns the log off
 * @param maxTaggedDatabases the most databases that get their own {@code database} tag value;
 *     databases beyond it are counted together under {@code _other}, so that the number of series
 *     stays bounded (≥ 0)
 * @param maxTaggedComponents the most components (database and name) that get their own {@code
 *     component} tag value; the rest are counted under {@code _other} (≥ 0)
 * @param gaugeRefresh how often the per-database gauges are refreshed from storage, which also sees
 *     databases created and written by other server instances
 * @param recordSpans when new traces are recorded as spans ({@link RecordSpans}): {@code
 *     when-exported} (the default) only while something receives them (an OTLP endpoint or another
 *     span exporter or processor is configured), {@code always} whenever the sampling probability
 *     picks them. Trace and span ids are in the logs and propagated either way
 */
@ConfigurationProperties("evidentsource.observability")
record ObservabilityProperties(
    @DefaultValue("1s") Duration slowQuery,
    @DefaultValue("1s") Duration slowAppend,
    @DefaultValue("100") int maxTaggedDatabases,
    @DefaultValue("200") int maxTaggedComponents,
    @DefaultValue("30s") Duration gaugeRefresh,
    @DefaultValue("when-exported") RecordSpans recordSpans) {

  /** When new traces are recorded (docs/operations.md#traces). */
  enum RecordSpans {
    /**
     * New traces are sampled with {@code management.tracing.sampling.probability} while spans go
     * somewhere (an exporter or a span processor other than Spring Boot's exporting one is
     * configured), else none is recorded. A client's sampled {@code traceparent} is always
     * honoured.
     */
    WHEN_EXPORTED,
    /** New traces are sampled with {@code management.tracing.sampling.probability}. */
    ALWAYS
  }

  ObservabilityProperties {
    if (slowQuery.isNegative()) {
      throw new IllegalArgumentException(
          "evidentsource.observability.slow-query must be >= 0, was " + slowQuery);
    }
    if (slowAppend.isNegative()) {
      throw new IllegalArgumentException(
          "evidentsource.observability.slow-append must be >= 0, was " + slowAppend);
    }
    if (maxTaggedDatabases < 0) {
      throw new IllegalArgumentException(
          "evidentsource.observability.max-tagged-databases must be >= 0, was "
              + maxTaggedDatabases);
    }
    if (maxTaggedComponents < 0) {
      throw new IllegalArgumentException(
          "evidentsource.observability.max-tagged-components must be >= 0, was "
              + maxTaggedComponents);
    }
    if (gaugeRefresh.isNegative() || gaugeRefresh.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.observability.gauge-refresh must be positive, was " + gaugeRefresh);
    }
  }
}
