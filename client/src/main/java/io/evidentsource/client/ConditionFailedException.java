package io.evidentsource.client;

import io.grpc.Status;
import java.util.List;
import java.util.Map;

/**
 * An append condition did not hold ({@code FAILED_PRECONDITION} / {@code condition_failed}):
 * nothing was written. Carries every failed condition with its actual highest matching revision.
 */
public final class ConditionFailedException extends EvidentSourceException {
  private final long headRevision;
  private final List<Condition.Failed> failures;

  ConditionFailedException(
      String message,
      Map<String, String> metadata,
      long headRevision,
      List<Condition.Failed> failures,
      Throwable cause) {
    super("condition_failed", Status.Code.FAILED_PRECONDITION, message, metadata, cause);
    this.headRevision = headRevision;
    this.failures = List.copyOf(failures);
  }

  /** The revision the conditions were evaluated at. */
  public long headRevision() {
    return headRevision;
  }

  /** Every failed condition, in request order. */
  public List<Condition.Failed> failures() {
    return failures;
  }
}
