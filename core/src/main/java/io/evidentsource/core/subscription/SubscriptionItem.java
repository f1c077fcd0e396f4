package io.evidentsource.core.subscription;

import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.StoredEvent;
import java.util.Objects;

/** What a {@link Subscription} hands its consumer, in order. */
public sealed interface SubscriptionItem {

  /**
   * The next matching event; revisions strictly increase from one to the next.
   *
   * @param event the stored event
   */
  record Delivered(StoredEvent event) implements SubscriptionItem {
    public Delivered {
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * Nothing matching arrived for one heartbeat interval; every revision up to {@code revision} has
   * been examined.
   *
   * @param revision the database head seen so far
   */
  record Heartbeat(long revision) implements SubscriptionItem {}

  /**
   * The subscription ended on the server's side and delivers nothing more: the database was deleted
   * ({@code DATABASE_NOT_FOUND}), the consumer fell behind ({@code SLOW_CONSUMER}), or reading
   * failed.
   *
   * @param error why, with a stable code
   */
  record Ended(EvidentSourceException error) implements SubscriptionItem {
    public Ended {
      Objects.requireNonNull(error, "error");
    }
  }
}
