/**
 * Who may call what: API keys (SHA-256 hashes from configuration or a reloaded file) mapped to a
 * principal and its scopes ({@code admin}, {@code read:<pattern>}, {@code write:<pattern>}), the
 * access rule of every REST route and gRPC method, and the Spring Security filter chain that
 * enforces them (docs/security.md).
 */
@NullMarked
package io.evidentsource.server.security;

import org.jspecify.annotations.NullMarked;
