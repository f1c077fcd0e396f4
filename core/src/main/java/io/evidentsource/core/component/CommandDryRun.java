package io.evidentsource.core.component;

import io.evidentsource.core.condition.ConditionCheck;
import io.evidentsource.core.model.Event;
import java.util.List;

/**
 * What executing a command would append, with nothing appended ({@link StateChanges#dryRun}).
 *
 * @param basisRevision the head revision the decision read its views at and the conditions were
 *     checked at
 * @param events the decided events with their provenance extensions, in order (not stored, so
 *     without revision or recorded time); empty when the decision had none
 * @param conditions each decided condition with L(S) at the basis revision and whether it holds; a
 *     real run at that head appends only if all hold
 */
public record CommandDryRun(
    long basisRevision, List<Event> events, List<ConditionCheck> conditions) {
  public CommandDryRun {
    events = List.copyOf(events);
    conditions = List.copyOf(conditions);
  }
}
