/**
 * The EvidentSource server: a Spring Boot application serving the REST and gRPC APIs (docs/rest.md,
 * docs/grpc.md) over the core {@code EventStore}. Spring stays at this edge, in packages by role:
 * {@code config} creates the storage adapter and the core services, {@code rest} and {@code grpc}
 * translate their protocols to core calls, {@code problem} turns failures into HTTP problem
 * details, {@code request} holds the request rules both APIs share, {@code live} the live tail both
 * stream, {@code ui} serves the web UI's files, and {@code observe} turns the core's reports into
 * metrics, spans and log lines (docs/operations.md). This package holds only the application class.
 */
@NullMarked
package io.evidentsource.server;

import org.jspecify.annotations.NullMarked;
