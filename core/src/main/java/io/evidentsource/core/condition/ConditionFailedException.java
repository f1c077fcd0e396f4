package io.evidentsource.core.condition;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.List;
import java.util.Map;

/**
 * One or more append conditions failed; nothing was written. Carries every failed condition with
 * its actual highest matching revision, and the head revision they were evaluated at.
 */
public final class ConditionFailedException extends EvidentSourceException {
  private final String database;
  private final long headRevision;
  private final List<FailedCondition> failures;

  /**
   * @param database the database name
   * @param headRevision the revision the conditions were evaluated at
   * @param failures every condition that failed, in request order
   */
  public ConditionFailedException(
      String database, long headRevision, List<FailedCondition> failures) {
    super(
        ErrorCode.CONDITION_FAILED,
        failures.size()
            + " of the transaction's append conditions failed at revision "
            + headRevision
            + " of database '"
            + database
            + "'",
        Map.of("database", database, "head_revision", headRevision));
    this.database = database;
    this.headRevision = headRevision;
    this.failures = List.copyOf(failures);
  }

  /** The database name. */
  public String database() {
    return database;
  }

  /** The head revision at which the conditions were evaluated. */
  public long headRevision() {
    return headRevision;
  }

  /** The failed conditions with their actual revisions. */
  public List<FailedCondition> failures() {
    return failures;
  }
}
