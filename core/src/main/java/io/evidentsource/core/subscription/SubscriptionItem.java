package io.evidentsource.core.subscription;

import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.StoredEvent;
import java.util.Objects;
import java.util.function.Function;

/** What a {@link Subscription} hands its consumer, in order. */
public sealed interface SubscriptionItem {

  /**
   * Calls the function for this item's kind and returns its result. This is the one way to dispatch
   * on the kind: each kind has its own parameter, so a new kind breaks the build of every caller
   * until it handles it (Java 17 has no pattern {@code switch}).
   */
  <R> R match(
      Function<Delivered, R> delivered, Function<Heartbeat, R> heartbeat, Function<Ended, R> ended);

  /**
   * The next matching event; revisions strictly increase from one to the next.
   *
   * @param event the stored event
   */
  record Delivered(StoredEvent event) implements SubscriptionItem {
    public Delivered {
      Objects.requireNonNull(event, "event");
    }

    @Override
    public <R> R match(
        Function<Delivered, R> delivered,
        Function<Heartbeat, R> heartbeat,
        Function<Ended, R> ended) {
      return delivered.apply(this);
    }
  }

  /**
   * Nothing matching arrived for one heartbeat interval; every revision up to {@code revision} has
   * been examined.
   *
   * @param revision the database head seen so far
   */
  record Heartbeat(long revision) implements SubscriptionItem {
    @Override
    public <R> R match(
        Function<Delivered, R> delivered,
        Function<Heartbeat, R> heartbeat,
        Function<Ended, R> ended) {
      return heartbeat.apply(this);
    }
  }

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

    @Override
    public <R> R match(
        Function<Delivered, R> delivered,
        Function<Heartbeat, R> heartbeat,
        Function<Ended, R> ended) {
      return ended.apply(this);
    }
  }
}
