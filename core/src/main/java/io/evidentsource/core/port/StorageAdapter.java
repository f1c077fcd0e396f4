package io.evidentsource.core.port;

import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Where databases and their event logs live (ADR 0002, docs/architecture.md). An adapter knows
 * nothing of selectors or conditions: it stores a catalog, appends with a compare-and-set on the
 * head revision, keeps idempotency records and reads events back. Implementations are thread-safe;
 * {@code storage-tck} holds the conformance suite every adapter passes.
 *
 * <p>Reads never show a revision before every lower revision is committed: once {@link
 * #findDatabase} reports head H, every revision 1..H is readable.
 */
public interface StorageAdapter {

  /**
   * Creates an empty database (revision 0) with a generation greater than any earlier database of
   * the same name.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_EXISTS}
   */
  DatabaseInfo createDatabase(DatabaseName name, Instant createdAt);

  /**
   * Removes a database from the catalog; its events are never visible again, also not to a new
   * database of the same name. As {@link #deleteDatabase(DatabaseName, String)} without a key.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_NOT_FOUND}
   */
  default void deleteDatabase(DatabaseName name) {
    var unused = deleteDatabase(name, null);
  }

  /**
   * Removes a database from the catalog as {@link #deleteDatabase(DatabaseName)}, and remembers
   * {@code deleteKey} (the client's idempotency key) with the name's last deletion, durably as the
   * catalog: the same delete sent again after its answer was lost is recognised and answered as the
   * first was, deleting nothing (also not a database created under the name since). Only the name's
   * last deletion is remembered; a deletion without a key forgets the one before.
   *
   * @param deleteKey the caller's key, or null for none
   * @return {@code true} when this call deleted the database, {@code false} when {@code deleteKey}
   *     is the key of the name's last deletion (a repeated call; nothing was deleted now)
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_NOT_FOUND} when no
   *     database of that name is live and the key (if any) is not that of its last deletion
   */
  boolean deleteDatabase(DatabaseName name, @Nullable String deleteKey);

  /** Every database, ordered by name, with its head as of the call. */
  List<DatabaseInfo> listDatabases();

  /** The database with its current head (a strongly consistent read), if it exists. */
  Optional<DatabaseInfo> findDatabase(DatabaseName name);

  /**
   * Appends a batch if the head is still {@link AppendRequest#expectedHead()}. An already known
   * transaction id yields {@link AppendOutcome.Duplicate} whatever the head.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_NOT_FOUND} when the
   *     database of that generation no longer exists
   */
  AppendOutcome append(AppendRequest request);

  /**
   * Checks, before any condition is evaluated or anything written, that this adapter can store
   * {@code events} (already valid under the configured event limits) as one transaction: limits of
   * its own storage, such as DynamoDB's item and transaction sizes (docs/limits.md#storage). The
   * default accepts every batch.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code EVENT_TOO_LARGE} (with the
   *     event's {@code index}), {@code TRANSACTION_TOO_LARGE} or {@code BATCH_TOO_LARGE}, naming
   *     the limit ({@code limit}, {@code actual}, {@code limit_name})
   */
  default void checkAppendable(DatabaseName database, List<Event> events) {}

  /**
   * Group commit (docs/dynamodb.md#group-commit): the most transactions {@link #appendGroup} writes
   * in one call. 1, the default, means the adapter appends one transaction at a time and the core
   * uses {@link #beginAppend}; above 1 the core evaluates the concurrent transactions of a database
   * in order and hands them to {@link #appendGroup} together.
   */
  default int maxGroupTransactions() {
    return 1;
  }

  /**
   * How many of {@code transactions} (each batch already accepted by {@link #checkAppendable}),
   * taken from the front in order, fit one {@link #appendGroup}: at least 1 for a non-empty list,
   * at most {@link #maxGroupTransactions()}. The default takes one.
   */
  default int fittingOneAppend(DatabaseName database, List<List<Event>> transactions) {
    return Math.min(1, transactions.size());
  }

  /**
   * Appends several transactions of one database atomically, in order, in one storage write: the
   * compare-and-set is on the first request's {@link AppendRequest#expectedHead()}, and each next
   * request's {@code expectedHead} is the last revision of the one before it; all carry the same
   * generation and recorded time. Each request keeps its own transaction id and idempotency record.
   *
   * @param requests 1 to {@link #maxGroupTransactions()} requests that {@link #fittingOneAppend}
   *     accepted together
   * @return {@code Committed} when all were written (its result is the last request's); {@code
   *     HeadMoved} when nothing was written because another writer moved the head; {@code
   *     Duplicate} when nothing was written because a request's transaction id is already recorded
   *     (its original result names that request by {@link TransactionResult#transactionId()})
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_NOT_FOUND}; {@code
   *     COMMIT_UNKNOWN} when the storage did not say whether the group committed (naming the first
   *     request's transaction id); {@code INTERNAL} on a storage failure
   */
  default AppendOutcome appendGroup(List<AppendRequest> requests) {
    if (requests.size() != 1) {
      throw new UnsupportedOperationException("this adapter appends one transaction at a time");
    }
    return append(requests.get(0));
  }

  /**
   * Starts an append that may not be durable yet when it returns: a pipelined commit
   * (docs/local-storage.md#durability), so that the next append to the database can be checked and
   * written while this one's disk sync is in flight, and share that sync. The same compare-and-set
   * as {@link #append}, on the head including the appends this process began before; its outcome
   * counts only once {@link #awaitDurable} returned for its revision. Until then {@link
   * #findDatabase}, {@link #readRange} and change notifications do not show it (readers never see a
   * revision that is not durable), while {@link #readRevisions}, {@link #findTransaction} and the
   * next {@code beginAppend} do.
   *
   * <p>The caller serialises the appends of one database (the core holds the database's index
   * lock), evaluates the conditions of the next append on the events begun before it, and calls
   * {@link #awaitDurable} after releasing that lock, before it answers; an append begun on a
   * pending one becomes durable no earlier than it. The default is {@link #append}: durable and
   * visible on return.
   */
  default AppendOutcome beginAppend(AppendRequest request) {
    return append(request);
  }

  /**
   * Waits until revision {@code revision} of the database (and every lower one) is durable and
   * visible to readers; returns at once when it is, or when the database was deleted since. The
   * default returns at once: {@link #append} is durable on return.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code INTERNAL} when the storage
   *     could not make it durable: the transaction must be reported as failed
   */
  default void awaitDurable(DatabaseName database, long generation, long revision) {}

  /**
   * Reads revisions {@code fromRevision..toRevision} (inclusive, ascending). The caller bounds the
   * range by a head it has seen and keeps it small (the core reads at most a few thousand at once).
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_NOT_FOUND} when the
   *     database of that generation no longer exists
   */
  List<StoredEvent> readRange(
      DatabaseName database, long generation, long fromRevision, long toRevision);

  /**
   * Reads the given revisions, each ≤ a head the caller has seen, returning them in the order
   * asked.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_NOT_FOUND}
   */
  List<StoredEvent> readRevisions(DatabaseName database, long generation, long[] revisions);

  /**
   * The stored result of a committed transaction with this id, if any; with a pipelined {@link
   * #beginAppend} possibly one not yet durable, which the caller awaits with {@link #awaitDurable}.
   */
  Optional<TransactionResult> findTransaction(
      DatabaseName database, long generation, UUID transactionId);

  /**
   * The audit record of a committed transaction: its result (not marked duplicate) and the {@link
   * AppendRequest#origin()} it was appended with, if a transaction with this id committed.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code DATABASE_NOT_FOUND} when the
   *     database of that generation no longer exists
   */
  Optional<TransactionRecord> readTransaction(
      DatabaseName database, long generation, UUID transactionId);
}
