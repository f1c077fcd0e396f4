/**
 * JVM client of the EvidentSource gRPC API ({@code evidentsource.v1}): see {@link
 * io.evidentsource.client.EvidentSourceClient} for a complete example. Depends only on the {@code
 * api} module and grpc-java; no Spring, no server internals.
 */
@NullMarked
package io.evidentsource.client;

import org.jspecify.annotations.NullMarked;
