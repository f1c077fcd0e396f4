/**
 * Observability (docs/operations.md): binds the core's {@code EventStoreObserver} port to
 * Micrometer meters (exposed at {@code /actuator/prometheus}), trace spans and log lines, with
 * database tags capped so that cardinality stays bounded, and the per-database gauges refreshed
 * from storage.
 */
@NullMarked
package io.evidentsource.server.observe;

import org.jspecify.annotations.NullMarked;
