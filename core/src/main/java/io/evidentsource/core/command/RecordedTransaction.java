package io.evidentsource.core.command;

import io.evidentsource.core.model.Event;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A transaction as another database recorded it, to be appended again with its revisions and
 * recorded time kept: the restore of an export (docs/rest.md#restoring-an-export). Unlike a {@link
 * Transaction} it has no conditions and no client transaction id; it commits only at the position
 * it names.
 *
 * @param firstRevision the revision its first event had, ≥ 1; the database's head must be {@code
 *     firstRevision - 1} when it commits
 * @param recordedTime the commit time it had (UTC, full precision), stamped on every event; not
 *     before the head's recorded time
 * @param events the events as sent originally, without the server's {@code revision} and {@code
 *     recordedtime} attributes, in revision order, at least one
 * @param origin who restores it and from where, stored with it for the audit (the original origin
 *     is not part of an export)
 */
public record RecordedTransaction(
    long firstRevision, Instant recordedTime, List<Event> events, TransactionOrigin origin) {
  public RecordedTransaction {
    if (firstRevision < 1) {
      throw new IllegalArgumentException("firstRevision must be >= 1, was " + firstRevision);
    }
    Objects.requireNonNull(recordedTime, "recordedTime");
    Objects.requireNonNull(origin, "origin");
    events = List.copyOf(events);
  }

  /** The revision of its last event. */
  public long lastRevision() {
    return firstRevision + events.size() - 1;
  }
}
