/**
 * Request rules that the REST ({@code server.rest}) and gRPC ({@code server.grpc}) edges share, so
 * both refuse the same input with the same error code and fields: body size limits and the checks
 * of state view and state change requests.
 */
@NullMarked
package io.evidentsource.server.request;

import org.jspecify.annotations.NullMarked;
