package io.evidentsource.server.security;

import org.jspecify.annotations.Nullable;

/**
 * Where a request carries its key, the same for REST (headers) and gRPC (metadata): {@code
 * Authorization: Bearer <key>} or {@code X-API-Key: <key>}.
 */
public final class PresentedKeys {
  private PresentedKeys() {}

  /**
   * The key, or null when the request carries none.
   *
   * @param authorization the {@code Authorization} value, or null
   * @param apiKey the {@code X-API-Key} value, or null
   * @throws IllegalArgumentException for another Authorization scheme, an empty key, or two
   *     different keys (the message never contains a key)
   */
  public static @Nullable String of(@Nullable String authorization, @Nullable String apiKey) {
    String bearer = null;
    if (authorization != null) {
      String value = authorization.strip();
      int space = value.indexOf(' ');
      if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
        throw new IllegalArgumentException(
            "Authorization must be 'Bearer <key>'; no other scheme is accepted");
      }
      bearer = value.substring(space + 1).strip();
      if (bearer.isEmpty()) {
        throw new IllegalArgumentException("Authorization carries an empty key");
      }
    }
    if (apiKey != null && apiKey.isBlank()) {
      throw new IllegalArgumentException("X-API-Key is empty");
    }
    if (bearer != null && apiKey != null && !bearer.equals(apiKey.strip())) {
      throw new IllegalArgumentException(
          "the request carries two different keys (Authorization and X-API-Key); send one");
    }
    return bearer != null ? bearer : apiKey == null ? null : apiKey.strip();
  }
}
