package io.evidentsource.server.config;

import io.evidentsource.core.model.EventLimits;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits and timeouts of the server, bound from {@code evidentsource.*} (for example {@code
 * EVIDENTSOURCE_MAX_BATCH_EVENTS=50} or {@code --evidentsource.max-request-bytes=2MB}).
 *
 * @param maxEventBytes largest event in bytes, counted as attribute names and values plus data
 *     (UTF-8); larger events are refused with 413 {@code event_too_large}
 * @param maxBatchEvents most events in one transaction (1 to 98); more are refused with 413 {@code
 *     batch_too_large}; also the batch size of NDJSON bulk loads
 * @param maxAttributeBytes longest {@code source}, {@code subject} or {@code type} in UTF-8 bytes;
 *     longer values are refused with 413 {@code attribute_too_long}
 * @param contentionTimeout how long an append keeps retrying while other writers move the head of
 *     the same database before it fails with 503 {@code contention_timeout}
 * @param maxRequestBytes largest request body for JSON and CloudEvents requests; larger bodies are
 *     refused with 413 {@code body_too_large}
 * @param maxBulkBytes largest NDJSON bulk-load body ({@code application/x-ndjson}); larger bodies
 *     are refused with 413 {@code body_too_large} before anything is stored
 */
@ConfigurationProperties("evidentsource")
public record EvidentSourceProperties(
    @DefaultValue("65536") int maxEventBytes,
    @DefaultValue("25") int maxBatchEvents,
    @DefaultValue("1024") int maxAttributeBytes,
    @DefaultValue("10s") Duration contentionTimeout,
    @DefaultValue("1MB") DataSize maxRequestBytes,
    @DefaultValue("256MB") DataSize maxBulkBytes) {

  public EvidentSourceProperties {
    if (maxEventBytes < 1024) {
      throw new IllegalArgumentException(
          "evidentsource.max-event-bytes must be at least 1024, was " + maxEventBytes);
    }
    if (maxBatchEvents < 1 || maxBatchEvents > EventLimits.HARD_MAX_BATCH_EVENTS) {
      throw new IllegalArgumentException(
          "evidentsource.max-batch-events must be between 1 and "
              + EventLimits.HARD_MAX_BATCH_EVENTS
              + ", was "
              + maxBatchEvents);
    }
    if (maxAttributeBytes < 1) {
      throw new IllegalArgumentException(
          "evidentsource.max-attribute-bytes must be at least 1, was " + maxAttributeBytes);
    }
    if (contentionTimeout.isNegative() || contentionTimeout.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.contention-timeout must be positive, was " + contentionTimeout);
    }
    if (maxRequestBytes.toBytes() < 1024 || maxRequestBytes.toBytes() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "evidentsource.max-request-bytes must be between 1KB and 2GB, was " + maxRequestBytes);
    }
    if (maxBulkBytes.toBytes() < maxRequestBytes.toBytes()) {
      throw new IllegalArgumentException(
          "evidentsource.max-bulk-bytes must be at least evidentsource.max-request-bytes, was "
              + maxBulkBytes);
    }
  }

  /** The core limits. */
  EventLimits eventLimits() {
    return new EventLimits(maxEventBytes, maxBatchEvents, maxAttributeBytes);
  }
}
