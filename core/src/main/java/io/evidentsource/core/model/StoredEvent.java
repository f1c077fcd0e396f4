package io.evidentsource.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * An event as stored: the client's event plus the server-set {@code revision} and {@code
 * recordedtime} (docs/data-model.md#events).
 *
 * @param revision the event's revision in its database, from 1, dense
 * @param recordedTime when the transaction holding the event was committed (UTC)
 * @param event the event as sent
 */
public record StoredEvent(long revision, Instant recordedTime, Event event) {
  public StoredEvent {
    if (revision < 1) {
      throw new IllegalArgumentException("revision must be >= 1, was " + revision);
    }
    Objects.requireNonNull(recordedTime, "recordedTime");
    Objects.requireNonNull(event, "event");
  }

  /**
   * The effective time: {@code time} when present, else the recorded time
   * (docs/data-model.md#effective-time).
   */
  public Instant effectiveTime() {
    var t = event.time();
    return t != null ? t.instant() : recordedTime;
  }
}
