/**
 * Request rules that the REST ({@code server.rest}) and gRPC ({@code server.grpc}) edges share, so
 * both refuse the same input with the same error code and fields: body size limits, the checks of
 * state view and state change requests, and the fair admission of requests per database and API key
 * ({@link io.evidentsource.server.request.RequestAdmission}).
 */
@NullMarked
package io.evidentsource.server.request;

import org.jspecify.annotations.NullMarked;
