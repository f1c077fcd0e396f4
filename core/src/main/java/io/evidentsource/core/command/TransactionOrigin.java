package io.evidentsource.core.command;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who made a transaction and from where, stored with it by the storage adapter for the audit and
 * never added to its events (docs/security.md#audit). Each text is cut to {@link #MAX_CHARS}
 * characters.
 *
 * @param principal the name of the caller's API key, or {@code anonymous}
 * @param origin how the transaction arrived: {@code http}, {@code grpc}, {@code command} (decided
 *     by a state change), {@code kafka}; {@code unknown} for transactions from inside the server
 * @param requestId the request's {@code X-Request-Id} (gRPC: {@code x-request-id}), or one the
 *     server generated
 * @param remoteAddress the client's address as the server saw it, or null
 * @param userAgent the client's {@code User-Agent}, or null
 */
public record TransactionOrigin(
    String principal,
    String origin,
    String requestId,
    @Nullable String remoteAddress,
    @Nullable String userAgent) {
  /** The longest text kept per field. */
  public static final int MAX_CHARS = 256;

  /** The origin of a transaction nobody described (tests, tools inside the server). */
  public static final TransactionOrigin UNKNOWN =
      new TransactionOrigin("anonymous", "unknown", "none", null, null);

  public TransactionOrigin {
    principal = cut(Objects.requireNonNull(principal, "principal"));
    origin = cut(Objects.requireNonNull(origin, "origin"));
    requestId = cut(Objects.requireNonNull(requestId, "requestId"));
    remoteAddress = remoteAddress == null ? null : cut(remoteAddress);
    userAgent = userAgent == null ? null : cut(userAgent);
  }

  /** The same caller and request, arrived another way (e.g. {@code command}). */
  public TransactionOrigin withOrigin(String newOrigin) {
    return new TransactionOrigin(principal, newOrigin, requestId, remoteAddress, userAgent);
  }

  private static String cut(String s) {
    return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS);
  }
}
