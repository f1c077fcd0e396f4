package io.evidentsource.core.condition;

import java.util.Objects;

/**
 * A condition that did not hold.
 *
 * @param condition the condition as sent
 * @param actualRevision L(S) at the commit position: the highest matching revision, 0 if none
 */
public record FailedCondition(AppendCondition condition, long actualRevision) {
  public FailedCondition {
    Objects.requireNonNull(condition, "condition");
  }
}
