/**
 * The {@code evidentsource.v1.EvidentSource} gRPC service: its configuration, the mapping between
 * protobuf messages and the core model, and the one mapping from core error codes to gRPC status.
 */
@NullMarked
package io.evidentsource.server.grpc;

import org.jspecify.annotations.NullMarked;
