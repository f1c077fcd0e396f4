/**
 * The REST API under {@code /api/v1}: controllers for databases, transactions and the CloudEvents
 * HTTP binding, queries, the SSE live tail, state views and state changes, and the OpenAPI
 * document; with the request parsing (bodies within limits, query parameters, binary-mode events,
 * NDJSON bulk loads) and the JSON response bodies they use. Failures go to {@code server.problem}.
 */
@NullMarked
package io.evidentsource.server.rest;

import org.jspecify.annotations.NullMarked;
