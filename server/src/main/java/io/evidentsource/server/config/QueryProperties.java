package io.evidentsource.server.config;

import io.evidentsource.core.query.QueryBudget;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The budget of one query request, bound from {@code evidentsource.query.*}
 * (docs/limits.md#names-and-queries): REST {@code GET .../events} and {@code POST .../events/query}
 * and gRPC {@code QueryEvents}. An NDJSON stream gets it for each chunk of events it reads, so an
 * export of any length goes on while its client reads.
 *
 * @param maxScannedEntries most index entries one request may scan (postings lists opened, steps of
 *     unions and intersections, revisions visited); more ends it with 422 {@code
 *     query_too_expensive} / RESOURCE_EXHAUSTED naming the limit
 * @param timeout most time one request may take inside the query engine; more ends it with 503
 *     {@code query_timeout} (with {@code Retry-After}) / DEADLINE_EXCEEDED. A gRPC call the client
 *     cancels (or whose deadline passes) stops at once, whatever is left of it
 */
@ConfigurationProperties("evidentsource.query")
record QueryProperties(
    @DefaultValue("10000000") long maxScannedEntries, @DefaultValue("10s") Duration timeout) {

  public QueryProperties {
    if (maxScannedEntries < 1) {
      throw new IllegalArgumentException(
          "evidentsource.query.max-scanned-entries must be >= 1, was " + maxScannedEntries);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.query.timeout must be positive, was " + timeout);
    }
  }

  /** The core's limits. */
  QueryBudget.Limits limits() {
    return new QueryBudget.Limits(maxScannedEntries, timeout);
  }
}
