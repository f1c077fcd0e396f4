package io.evidentsource.core.component;

import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.model.StoredEvent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What executing a command did.
 *
 * @param basisRevision the revision the decision read its views at
 * @param transaction the committed transaction, or null when the decision had no events
 * @param events the stored events, with their revisions and provenance extensions
 */
public record CommandResult(
    long basisRevision, @Nullable TransactionResult transaction, List<StoredEvent> events) {
  public CommandResult {
    events = List.copyOf(events);
  }
}
