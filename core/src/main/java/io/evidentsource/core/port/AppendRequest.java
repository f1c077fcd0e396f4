package io.evidentsource.core.port;

import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A compare-and-set append: write {@code events} at revisions {@code expectedHead + 1 ...} only if
 * the database of this generation still has head {@code expectedHead}.
 *
 * @param database the database name
 * @param generation the generation the caller read; a different one means the database was deleted
 *     (and maybe re-created) since
 * @param expectedHead the head revision the caller evaluated its checks at
 * @param events validated events, in order, at least one
 * @param transactionId the idempotency key recorded with the transaction
 * @param recordedTime the commit time to stamp; the caller keeps it ≥ the head's revision time
 * @param origin who made the transaction and from where, stored with its idempotency record (not in
 *     the events) and read back by {@link StorageAdapter#readTransaction}
 * @param traceContext the W3C trace headers ({@code traceparent}, {@code tracestate}) of the
 *     request that made the transaction, read on that request's thread when another thread may
 *     append it: in group commit ({@link StorageAdapter#appendGroup}, {@link
 *     StorageAdapter#maxGroupTransactions} above 1) the core reads them for every member, so that
 *     each transaction's notification continues its own request's trace
 *     (docs/operations.md#traces). Empty when the request has no trace, and when the core appends
 *     one transaction at a time: the adapter then runs on the request's own thread
 */
public record AppendRequest(
    DatabaseName database,
    long generation,
    long expectedHead,
    List<Event> events,
    UUID transactionId,
    Instant recordedTime,
    TransactionOrigin origin,
    Map<String, String> traceContext) {
  public AppendRequest {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(transactionId, "transactionId");
    Objects.requireNonNull(recordedTime, "recordedTime");
    events = List.copyOf(events);
    traceContext = Map.copyOf(traceContext);
    if (events.isEmpty()) {
      throw new IllegalArgumentException("events must not be empty");
    }
    if (expectedHead < 0) {
      throw new IllegalArgumentException("expectedHead must be >= 0, was " + expectedHead);
    }
  }

  /** An append without trace context. */
  public AppendRequest(
      DatabaseName database,
      long generation,
      long expectedHead,
      List<Event> events,
      UUID transactionId,
      Instant recordedTime,
      TransactionOrigin origin) {
    this(database, generation, expectedHead, events, transactionId, recordedTime, origin, Map.of());
  }

  /** An append of {@link TransactionOrigin#UNKNOWN} origin, without trace context. */
  public AppendRequest(
      DatabaseName database,
      long generation,
      long expectedHead,
      List<Event> events,
      UUID transactionId,
      Instant recordedTime) {
    this(
        database,
        generation,
        expectedHead,
        events,
        transactionId,
        recordedTime,
        TransactionOrigin.UNKNOWN);
  }
}
