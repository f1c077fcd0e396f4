/**
 * Live tails: the threads of open subscriptions and the one pump that drains a core {@code
 * Subscription} into a client stream, for the SSE live tail ({@code server.rest}) and gRPC {@code
 * SubscribeEvents} ({@code server.grpc}) alike.
 */
@NullMarked
package io.evidentsource.server.live;

import org.jspecify.annotations.NullMarked;
