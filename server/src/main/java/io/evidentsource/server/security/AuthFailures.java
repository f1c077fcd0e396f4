package io.evidentsource.server.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs and counts refused requests: the counter {@code evidentsource.auth.failures} (Prometheus:
 * {@code evidentsource_auth_failures_total}) with tag {@code reason} = {@code missing_key}, {@code
 * unknown_key} or {@code forbidden}. The log names the key when it is known, never the key itself.
 */
public final class AuthFailures {
  /** The counter's name. */
  public static final String METER = "evidentsource.auth.failures";

  private static final Logger log = LoggerFactory.getLogger(AuthFailures.class);

  /** Why a request was refused. */
  public enum Reason {
    MISSING_KEY("missing_key"),
    UNKNOWN_KEY("unknown_key"),
    FORBIDDEN("forbidden");

    private final String tag;

    Reason(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  private final @Nullable MeterRegistry registry;

  public AuthFailures(@Nullable MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Records a refusal.
   *
   * @param protocol {@code http} or {@code grpc}
   * @param target the method and path, or the gRPC method
   * @param remote the peer's address
   * @param principal the key's name when known
   * @param detail what the caller was told
   */
  public void record(
      Reason reason,
      String protocol,
      String target,
      @Nullable String remote,
      @Nullable String principal,
      String detail) {
    if (registry != null) {
      Counter.builder(METER)
          .description("Requests refused for a missing or unknown API key or a missing scope")
          .tag("reason", reason.tag())
          .register(registry)
          .increment();
    }
    log.warn(
        "refused {} {} from {} ({}, principal {}): {}",
        protocol,
        target,
        remote,
        reason.tag(),
        principal == null ? "unknown" : principal,
        detail);
  }
}
