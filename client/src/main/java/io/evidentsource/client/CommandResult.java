package io.evidentsource.client;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What executing a command did (docs/data-model.md#state-views-and-state-changes).
 *
 * @param basisRevision the revision the state change decided at
 * @param transaction the committed transaction ({@code duplicate} when a retry with the same
 *     transaction id found it committed), or null when the decision had no events
 * @param events the stored events with their provenance extension attributes (correlationid,
 *     statechange, basisrevision, ...)
 */
public record CommandResult(
    long basisRevision, @Nullable TransactionResult transaction, List<StoredEvent> events) {
  public CommandResult {
    events = List.copyOf(events);
  }
}
