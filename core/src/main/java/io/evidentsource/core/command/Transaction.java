package io.evidentsource.core.command;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.Event;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An atomic batch to append: all events are written, or none (docs/data-model.md#transactions).
 *
 * @param transactionId the client's idempotency key, or null to let the server choose one; a retry
 *     with the same id returns the original result and appends nothing
 * @param events the events, in order; they get consecutive revisions
 * @param conditions conditions that must all hold at the commit position
 * @param origin who sends it and from where, stored with it for the audit
 */
public record Transaction(
    @Nullable UUID transactionId,
    List<Event> events,
    List<AppendCondition> conditions,
    TransactionOrigin origin) {
  public Transaction {
    events = List.copyOf(events);
    conditions = List.copyOf(conditions);
    Objects.requireNonNull(origin, "origin");
  }

  /** A transaction of {@link TransactionOrigin#UNKNOWN} origin. */
  public Transaction(
      @Nullable UUID transactionId, List<Event> events, List<AppendCondition> conditions) {
    this(transactionId, events, conditions, TransactionOrigin.UNKNOWN);
  }

  /** The same transaction with this origin. */
  public Transaction withOrigin(TransactionOrigin newOrigin) {
    return new Transaction(transactionId, events, conditions, newOrigin);
  }

  /** An unconditional transaction without a client id. */
  public static Transaction of(List<Event> events) {
    return new Transaction(null, events, List.of());
  }

  /** A conditional transaction without a client id. */
  public static Transaction of(List<Event> events, List<AppendCondition> conditions) {
    return new Transaction(null, events, conditions);
  }
}
