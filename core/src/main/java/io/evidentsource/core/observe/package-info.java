/**
 * What the core reports about its own work, for metrics, traces and logs: the {@link
 * io.evidentsource.core.observe.EventStoreObserver} port, which the server binds to Micrometer and
 * OpenTelemetry (docs/operations.md), and the reports it receives. The core itself records nothing.
 */
@NullMarked
package io.evidentsource.core.observe;

import org.jspecify.annotations.NullMarked;
