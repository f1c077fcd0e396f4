/**
 * HTTP errors: the one mapping from core error codes to HTTP statuses, RFC 9457 problem details
 * with the stable {@code code}, and the handlers that answer every failure with them.
 */
@NullMarked
package io.evidentsource.server.problem;

import org.jspecify.annotations.NullMarked;
