package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@code decide} learns about its call (docs/wasm-abi.md#the-contract, {@code metadata}).
 *
 * @param database the database the command runs against
 * @param basisRevision the revision the decision reads views at
 * @param basisTime the recorded time of the basis revision; the guest's WASI clock reads it
 * @param effectiveTime when the command happens (the server's clock at the request)
 * @param principal who sent the command, or null when unauthenticated
 * @param correlationId the request's correlation id
 * @param causationId what caused the command, or null
 */
public record DecideMetadata(
    DatabaseName database,
    long basisRevision,
    Instant basisTime,
    Instant effectiveTime,
    @Nullable String principal,
    String correlationId,
    @Nullable String causationId) {
  public DecideMetadata {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(basisTime, "basisTime");
    Objects.requireNonNull(effectiveTime, "effectiveTime");
    Objects.requireNonNull(correlationId, "correlationId");
    if (basisRevision < 0) {
      throw new IllegalArgumentException("basisRevision must be >= 0, was " + basisRevision);
    }
  }
}
