package io.evidentsource.core.component;

import io.evidentsource.core.command.TransactionOrigin;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Who sent a command and how; recorded on each decided event
 * (docs/data-model.md#state-views-and-state-changes).
 *
 * @param principal the authenticated principal, or null
 * @param origin {@code http} or {@code grpc}
 * @param correlationId the caller's correlation id, or null to use the transaction id
 * @param causationId what caused the command, or null
 * @param transactionId the idempotency key of the resulting transaction, or null
 * @param audit the request's origin for the audit record of the resulting transaction, whose {@code
 *     origin} becomes {@code command}
 */
public record Provenance(
    @Nullable String principal,
    String origin,
    @Nullable String correlationId,
    @Nullable String causationId,
    @Nullable UUID transactionId,
    TransactionOrigin audit) {
  public Provenance {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(audit, "audit");
  }

  /** A command whose request origin is not known (tests, tools inside the server). */
  public Provenance(
      @Nullable String principal,
      String origin,
      @Nullable String correlationId,
      @Nullable String causationId,
      @Nullable UUID transactionId) {
    this(principal, origin, correlationId, causationId, transactionId, TransactionOrigin.UNKNOWN);
  }

  /** An anonymous HTTP command. */
  public static Provenance http() {
    return new Provenance(null, "http", null, null, null);
  }
}
