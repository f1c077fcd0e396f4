/**
 * Stable error codes and the exceptions that carry them; the server maps each code to an HTTP
 * status and a gRPC status in one place.
 */
@NullMarked
package io.evidentsource.core.error;

import org.jspecify.annotations.NullMarked;
