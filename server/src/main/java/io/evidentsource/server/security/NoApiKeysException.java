package io.evidentsource.server.security;

import org.jspecify.annotations.Nullable;

/**
 * Security is on ({@code evidentsource.security.enabled}, set by the {@code prod} profile) but no
 * key is configured, so every request would be refused: the server does not start.
 */
final class NoApiKeysException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  NoApiKeysException(@Nullable String file) {
    super(
        "evidentsource.security.enabled is true (the prod profile sets it) but no API key is"
            + " configured"
            + (file == null ? "" : " (the keys file " + file + " holds none)")
            + ", so every request would be refused");
  }
}
