/**
 * The event-store core: the {@link io.evidentsource.core.EventStore} service that validates and
 * appends transactions and answers queries, built on the ports in {@code port}. Knows nothing of
 * Spring, gRPC, AWS or WebAssembly (docs/architecture.md#modules).
 */
@NullMarked
package io.evidentsource.core;

import org.jspecify.annotations.NullMarked;
