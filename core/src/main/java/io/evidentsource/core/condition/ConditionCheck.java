package io.evidentsource.core.condition;

import java.util.Objects;

/**
 * A condition evaluated at a revision without appending anything (a command's dry run; see
 * docs/data-model.md#append-conditions).
 *
 * @param condition the condition as decided
 * @param actualRevision L(S) at that revision: the highest matching revision, 0 if none
 */
public record ConditionCheck(AppendCondition condition, long actualRevision) {
  public ConditionCheck {
    Objects.requireNonNull(condition, "condition");
  }

  /** Whether the condition holds at {@link #actualRevision()}. */
  public boolean holds() {
    return condition.holds(actualRevision);
  }
}
