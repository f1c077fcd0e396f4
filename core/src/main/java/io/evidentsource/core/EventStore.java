package io.evidentsource.core;

import io.evidentsource.core.command.CommandHandler;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionCheck;
import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.index.IndexManager;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.EventValidator;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.QueryEngine;
import io.evidentsource.core.query.QueryPage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The event store as the wire APIs see it: the database catalog, transactions and queries over one
 * {@link StorageAdapter}. Thread-safe; one instance per server.
 */
public final class EventStore {
  private final StorageAdapter storage;
  private final IndexManager indexes;
  private final CommandHandler commands;
  private final QueryEngine queries;
  private final EventValidator validator;
  private final Clock clock;

  /**
   * @param storage the storage adapter
   * @param limits the event, batch and attribute limits
   * @param clock the source of creation and commit times (UTC)
   * @param transactionIds the source of server-chosen transaction ids
   * @param contentionTimeout how long an append keeps retrying while other writers move the head
   */
  public EventStore(
      StorageAdapter storage,
      EventLimits limits,
      Clock clock,
      Supplier<UUID> transactionIds,
      Duration contentionTimeout) {
    this.storage = storage;
    this.indexes = new IndexManager(storage);
    this.validator = new EventValidator(limits);
    this.clock = clock;
    this.commands =
        new CommandHandler(storage, indexes, validator, clock, transactionIds, contentionTimeout);
    this.queries = new QueryEngine(storage, indexes);
  }

  /** An event store with default limits, the UTC system clock and random transaction ids. */
  public static EventStore create(StorageAdapter storage) {
    return new EventStore(
        storage,
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10));
  }

  /** The validator with the limits in force. */
  public EventValidator validator() {
    return validator;
  }

  /**
   * Creates an empty database.
   *
   * @throws EvidentSourceException {@code DATABASE_EXISTS}
   */
  public DatabaseInfo createDatabase(DatabaseName name) {
    return storage.createDatabase(name, clock.instant());
  }

  /**
   * Deletes a database and all its events.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}
   */
  public void deleteDatabase(DatabaseName name) {
    storage.deleteDatabase(name);
    indexes.forget(name);
  }

  /** All databases, ordered by name. */
  public List<DatabaseInfo> listDatabases() {
    return storage.listDatabases();
  }

  /**
   * One database with its current head.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}
   */
  public DatabaseInfo database(DatabaseName name) {
    return storage
        .findDatabase(name)
        .orElseThrow(() -> new DatabaseNotFoundException(name.value()));
  }

  /**
   * The revision at which an event with this {@code source} and {@code id} is stored, or 0 when
   * there is none at the current head. Lets a bulk load reject ids already stored before it appends
   * anything (a concurrent writer may still store the id before the load's own append, which then
   * fails with {@code duplicate_event_id}).
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}
   */
  public long storedRevisionOf(DatabaseName database, String source, String id) {
    DatabaseInfo info = database(database);
    var index = indexes.caughtUp(info);
    long[] candidates = index.idCandidates(source, id);
    if (candidates.length == 0) {
      return 0;
    }
    for (StoredEvent s : storage.readRevisions(database, info.generation(), candidates)) {
      if (s.event().id().equals(id) && s.event().source().equals(source)) {
        return s.revision();
      }
    }
    return 0;
  }

  /**
   * The result of the transaction committed with {@code transactionId} in the generation of {@code
   * database} the caller read, marked {@code duplicate}, or empty when none was
   * (docs/data-model.md#transactions).
   */
  public Optional<TransactionResult> findTransaction(DatabaseInfo database, UUID transactionId) {
    return storage
        .findTransaction(database.name(), database.generation(), transactionId)
        .map(TransactionResult::asDuplicate);
  }

  /**
   * The audit record of the transaction with this id in the current generation of the database: its
   * revision range, recorded time and origin (docs/security.md#audit).
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}, or {@code TRANSACTION_NOT_FOUND}
   *     when no transaction with this id committed there
   */
  public TransactionRecord transaction(DatabaseName database, UUID transactionId) {
    DatabaseInfo info = database(database);
    return storage
        .readTransaction(database, info.generation(), transactionId)
        .orElseThrow(
            () ->
                new EvidentSourceException(
                    ErrorCode.TRANSACTION_NOT_FOUND,
                    "no transaction "
                        + transactionId
                        + " committed in database '"
                        + database.value()
                        + "'",
                    Map.of(
                        "database", database.value(), "transaction_id", transactionId.toString())));
  }

  /**
   * Evaluates conditions at the head {@code database} was read at, as {@link #transact} would
   * before an append there, without appending: each condition with L(S), the highest revision ≤
   * that head matching its selector (0 if none).
   */
  public List<ConditionCheck> checkConditions(
      DatabaseInfo database, List<AppendCondition> conditions) {
    if (conditions.isEmpty()) {
      return List.of();
    }
    var snapshot = indexes.caughtUp(database).snapshot(database.revision());
    return conditions.stream()
        .map(c -> new ConditionCheck(c, snapshot.highestMatching(c.selector())))
        .toList();
  }

  /** Commits a transaction; see {@link CommandHandler#transact}. */
  public TransactionResult transact(DatabaseName database, Transaction transaction) {
    return commands.transact(database, transaction);
  }

  /** Reads one page; see {@link QueryEngine#page}. */
  public QueryPage query(DatabaseName database, EventQuery query) {
    return queries.page(database, query);
  }

  /** Streams all matching events lazily; see {@link QueryEngine#stream}. */
  public QueryEngine.Result stream(DatabaseName database, EventQuery query, long maxEvents) {
    return queries.stream(database, query, maxEvents);
  }

  /** The event at a revision; see {@link QueryEngine#event}. */
  public StoredEvent event(DatabaseName database, long revision) {
    return queries.event(database, revision);
  }
}
