package io.evidentsource.core;

import io.evidentsource.core.command.CommandHandler;
import io.evidentsource.core.command.RecordedTransaction;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionCheck;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.index.IndexManager;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.EventValidator;
import io.evidentsource.core.model.RandomUuids;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.observe.EventStoreObserver.Step;
import io.evidentsource.core.observe.QueryKind;
import io.evidentsource.core.observe.QueryReport;
import io.evidentsource.core.observe.TransactionOutcome;
import io.evidentsource.core.observe.TransactionReport;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.QueryBudget;
import io.evidentsource.core.query.QueryEngine;
import io.evidentsource.core.query.QueryPage;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The event store as the wire APIs see it: the database catalog, transactions and queries over one
 * {@link StorageAdapter}. Thread-safe; one instance per server.
 */
public final class EventStore {
  private final StorageAdapter storage;
  private final IndexManager indexes;
  private final @Nullable IndexSegmentStore segmentStore;
  private final CommandHandler commands;
  private final QueryEngine queries;
  private final EventValidator validator;
  private final Clock clock;
  private final EventStoreObserver observer;

  /**
   * An event store that reports nothing ({@link EventStoreObserver#NONE}).
   *
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
    this(storage, limits, clock, transactionIds, contentionTimeout, EventStoreObserver.NONE);
  }

  /**
   * @param storage the storage adapter
   * @param limits the event, batch and attribute limits
   * @param clock the source of creation and commit times (UTC)
   * @param transactionIds the source of server-chosen transaction ids
   * @param contentionTimeout how long an append keeps retrying while other writers move the head
   * @param observer where transactions, reads and catalog changes are reported (docs/operations.md)
   */
  public EventStore(
      StorageAdapter storage,
      EventLimits limits,
      Clock clock,
      Supplier<UUID> transactionIds,
      Duration contentionTimeout,
      EventStoreObserver observer) {
    this(storage, limits, clock, transactionIds, contentionTimeout, observer, null);
  }

  /**
   * @param storage the storage adapter
   * @param limits the event, batch and attribute limits
   * @param clock the source of creation and commit times (UTC)
   * @param transactionIds the source of server-chosen transaction ids
   * @param contentionTimeout how long an append keeps retrying while other writers move the head
   * @param observer where transactions, reads and catalog changes are reported (docs/operations.md)
   * @param segments where the indexes seal and read index segments (ADR 0011), or null to index
   *     from the log only
   */
  public EventStore(
      StorageAdapter storage,
      EventLimits limits,
      Clock clock,
      Supplier<UUID> transactionIds,
      Duration contentionTimeout,
      EventStoreObserver observer,
      @Nullable IndexSegments segments) {
    this(
        storage,
        limits,
        clock,
        transactionIds,
        contentionTimeout,
        observer,
        segments,
        Long.MAX_VALUE);
  }

  /**
   * @param storage the storage adapter
   * @param limits the event, batch and attribute limits
   * @param clock the source of creation and commit times (UTC)
   * @param transactionIds the source of server-chosen transaction ids
   * @param contentionTimeout how long an append keeps retrying while other writers move the head
   * @param observer where transactions, reads and catalog changes are reported (docs/operations.md)
   * @param segments where the indexes seal and read index segments (ADR 0011), or null to index
   *     from the log only
   * @param indexCacheBytes the bound on {@link #indexCacheBytes()} beyond which the indexes of the
   *     least recently used databases are dropped (rebuilt on next use), positive; {@link
   *     Long#MAX_VALUE} for none
   */
  public EventStore(
      StorageAdapter storage,
      EventLimits limits,
      Clock clock,
      Supplier<UUID> transactionIds,
      Duration contentionTimeout,
      EventStoreObserver observer,
      @Nullable IndexSegments segments,
      long indexCacheBytes) {
    this.storage = storage;
    this.indexes = new IndexManager(storage, observer, segments, indexCacheBytes);
    this.segmentStore = segments == null ? null : segments.store();
    this.validator = new EventValidator(limits);
    this.clock = clock;
    this.observer = observer;
    this.commands =
        new CommandHandler(
            storage, indexes, validator, clock, transactionIds, contentionTimeout, observer);
    this.queries = new QueryEngine(storage, indexes);
  }

  /** An event store with default limits, the UTC system clock and random transaction ids. */
  public static EventStore create(StorageAdapter storage) {
    return new EventStore(
        storage,
        EventLimits.defaults(),
        Clock.systemUTC(),
        RandomUuids::next,
        Duration.ofSeconds(10));
  }

  /** Where this store reports its work; the component services report through it too. */
  public EventStoreObserver observer() {
    return observer;
  }

  /**
   * An estimate of the heap the in-memory indexes of all databases hold, in bytes (the indexes are
   * a cache of the log, kept until their database is deleted or, with a bound, dropped as least
   * recently used).
   */
  public long indexCacheBytes() {
    return indexes.estimatedBytes();
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
    DatabaseInfo created = storage.createDatabase(name, clock.instant());
    observer.databaseCreated(created);
    return created;
  }

  /**
   * Deletes a database and all its events.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}
   */
  public void deleteDatabase(DatabaseName name) {
    var unused = deleteDatabase(name, null);
  }

  /** The longest idempotency key of a delete. */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

  private static boolean validIdempotencyKey(String key) {
    if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < '!' || c > '~') {
        return false;
      }
    }
    return true;
  }

  /**
   * Deletes a database and all its events; a delete sent again with the same {@code idempotencyKey}
   * (its first answer was lost) succeeds again and deletes nothing more
   * (docs/rest.md#deleting-a-database).
   *
   * @param idempotencyKey the client's key (1 to 255 visible ASCII characters), or null
   * @return whether the caller lets go of the name's components ({@link
   *     io.evidentsource.core.component.ComponentCatalog#forget}): {@code true} when this call
   *     deleted the database, and when it repeats the name's last deletion while no database of the
   *     name exists (the first call may have been cut short before its caller let go of them; none
   *     is reachable any more); {@code false} when it repeats one and a database was created under
   *     the name since (whose components stay)
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}; {@code MALFORMED_REQUEST} when the
   *     key breaks its rule
   */
  public boolean deleteDatabase(DatabaseName name, @Nullable String idempotencyKey) {
    if (idempotencyKey != null && !validIdempotencyKey(idempotencyKey)) {
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_REQUEST,
          "the idempotency key (REST header Idempotency-Key, gRPC idempotency_key) must be 1 to"
              + " "
              + MAX_IDEMPOTENCY_KEY_LENGTH
              + " visible ASCII characters (! to ~)",
          Map.of("parameter", "Idempotency-Key", "limit", MAX_IDEMPOTENCY_KEY_LENGTH));
    }
    if (!storage.deleteDatabase(name, idempotencyKey)) {
      return storage.findDatabase(name).isEmpty();
    }
    indexes.forget(name);
    var store = segmentStore;
    if (store != null) {
      store.forgetDatabase(name);
    }
    observer.databaseDeleted(name);
    return true;
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
    var found = storage.findTransaction(database.name(), database.generation(), transactionId);
    found.ifPresent(
        r -> storage.awaitDurable(database.name(), database.generation(), r.revision()));
    return found.map(TransactionResult::asDuplicate);
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
    var found = storage.readTransaction(database, info.generation(), transactionId);
    found.ifPresent(r -> storage.awaitDurable(database, info.generation(), r.result().revision()));
    return found.orElseThrow(
        () ->
            new EvidentSourceException(
                ErrorCode.TRANSACTION_NOT_FOUND,
                "no transaction "
                    + transactionId
                    + " committed in database '"
                    + database.value()
                    + "'",
                Map.of("database", database.value(), "transaction_id", transactionId.toString())));
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

  /** Commits a transaction; see {@link CommandHandler#transact}. Reported as a transaction. */
  public TransactionResult transact(DatabaseName database, Transaction transaction) {
    return reported(
        database, transaction.events().size(), () -> commands.transact(database, transaction));
  }

  /**
   * Appends a transaction recorded elsewhere with the revisions and recorded time it had there: the
   * restore of an export into an empty database, one original transaction at a time, in order
   * (docs/rest.md#restoring-an-export); see {@link CommandHandler#restore}. Reported as a
   * transaction.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_EMPTY} when the first transaction (revision
   *     1) goes to a database that holds events; {@code RESTORE_OUT_OF_ORDER} when a transaction
   *     does not continue the head or goes back in recorded time
   */
  public TransactionResult restore(DatabaseName database, RecordedTransaction transaction) {
    return reported(
        database, transaction.events().size(), () -> commands.restore(database, transaction));
  }

  private TransactionResult reported(
      DatabaseName database, int events, Supplier<TransactionResult> commit) {
    long start = System.nanoTime();
    try (var scope = observer.open(Step.TRANSACTION, database)) {
      try {
        TransactionResult result = commit.get();
        observer.transactionEnded(
            new TransactionReport(
                database,
                result.duplicate() ? TransactionOutcome.DUPLICATE : TransactionOutcome.COMMITTED,
                events,
                0,
                result.duplicate() ? 0 : result.revision(),
                System.nanoTime() - start,
                null));
        return result;
      } catch (RuntimeException e) {
        scope.failed(e);
        observer.transactionEnded(
            new TransactionReport(
                database,
                TransactionOutcome.of(e),
                events,
                e instanceof ConditionFailedException c ? c.failures().size() : 0,
                0,
                System.nanoTime() - start,
                e instanceof EvidentSourceException es ? es.code() : null));
        throw e;
      }
    }
  }

  /** Reads one page; see {@link QueryEngine#page}. Reported as a {@code query} read. */
  public QueryPage query(DatabaseName database, EventQuery query) {
    return query(database, query, QueryBudget.unlimited());
  }

  /**
   * Reads one page within a request's budget; see {@link QueryEngine#page(DatabaseName, EventQuery,
   * QueryBudget)}. Reported as a {@code query} read.
   */
  public QueryPage query(DatabaseName database, EventQuery query, QueryBudget budget) {
    long start = System.nanoTime();
    try (var scope = observer.open(Step.QUERY, database)) {
      try {
        QueryPage page = queries.page(database, query, budget);
        observer.queryEnded(
            new QueryReport(
                database,
                QueryKind.QUERY,
                query,
                page.revision(),
                page.events().size(),
                System.nanoTime() - start,
                false));
        return page;
      } catch (RuntimeException e) {
        scope.failed(e);
        observer.queryEnded(
            new QueryReport(
                database, QueryKind.QUERY, query, 0, 0, System.nanoTime() - start, true));
        throw e;
      }
    }
  }

  /**
   * Streams all matching events lazily; see {@link QueryEngine#stream}. Reported as a {@code query}
   * read when the events run out.
   */
  public QueryEngine.Result stream(DatabaseName database, EventQuery query, long maxEvents) {
    return stream(database, query, maxEvents, QueryKind.QUERY);
  }

  /**
   * Streams all matching events lazily; see {@link QueryEngine#stream}. Reported as a read of
   * {@code kind} when the events run out (or fail), timed inside this method and the iterator only.
   */
  public QueryEngine.Result stream(
      DatabaseName database, EventQuery query, long maxEvents, QueryKind kind) {
    return stream(database, query, maxEvents, kind, QueryBudget.unlimited());
  }

  /**
   * Streams all matching events lazily within a request's budget, renewed per chunk; see {@link
   * QueryEngine#stream(DatabaseName, EventQuery, long, QueryBudget)}. Reported as a read of {@code
   * kind} when the events run out (or fail).
   */
  public QueryEngine.Result stream(
      DatabaseName database, EventQuery query, long maxEvents, QueryKind kind, QueryBudget budget) {
    long start = System.nanoTime();
    QueryEngine.Result result;
    try {
      result = queries.stream(database, query, maxEvents, budget);
    } catch (RuntimeException e) {
      observer.queryEnded(
          new QueryReport(database, kind, query, 0, 0, System.nanoTime() - start, true));
      throw e;
    }
    var timed = new TimedEvents(database, kind, query, result, System.nanoTime() - start);
    return new QueryEngine.Result(result.revision(), timed);
  }

  /**
   * Streams all matching events lazily at the head {@code info} describes, without reading the
   * catalog again (a live tail that learned the head from its notifications); see {@link
   * QueryEngine#stream(DatabaseInfo, EventQuery, long, QueryBudget)}. Reported as a read of {@code
   * kind}.
   */
  public QueryEngine.Result stream(
      DatabaseInfo info, EventQuery query, long maxEvents, QueryKind kind) {
    long start = System.nanoTime();
    QueryEngine.Result result;
    try {
      result = queries.stream(info, query, maxEvents, QueryBudget.unlimited());
    } catch (RuntimeException e) {
      observer.queryEnded(
          new QueryReport(info.name(), kind, query, 0, 0, System.nanoTime() - start, true));
      throw e;
    }
    var timed = new TimedEvents(info.name(), kind, query, result, System.nanoTime() - start);
    return new QueryEngine.Result(result.revision(), timed);
  }

  /** The event at a revision; see {@link QueryEngine#event}. Reported as a {@code get} read. */
  public StoredEvent event(DatabaseName database, long revision) {
    long start = System.nanoTime();
    try (var scope = observer.open(Step.QUERY, database)) {
      try {
        StoredEvent event = queries.event(database, revision);
        observer.queryEnded(
            new QueryReport(
                database, QueryKind.GET, null, revision, 1, System.nanoTime() - start, false));
        return event;
      } catch (RuntimeException e) {
        scope.failed(e);
        observer.queryEnded(
            new QueryReport(
                database, QueryKind.GET, null, revision, 0, System.nanoTime() - start, true));
        throw e;
      }
    }
  }

  /**
   * A streamed result's events, timed while the engine produces them (not while the consumer works
   * between them), reported once when they run out or fail.
   */
  private final class TimedEvents implements Iterator<StoredEvent> {
    private final DatabaseName database;
    private final QueryKind kind;
    private final EventQuery query;
    private final QueryEngine.Result result;
    private long nanos;
    private long count;
    private boolean reported;

    TimedEvents(
        DatabaseName database,
        QueryKind kind,
        EventQuery query,
        QueryEngine.Result result,
        long nanos) {
      this.database = database;
      this.kind = kind;
      this.query = query;
      this.result = result;
      this.nanos = nanos;
    }

    @Override
    public boolean hasNext() {
      long start = System.nanoTime();
      boolean more;
      try {
        more = result.events().hasNext();
      } catch (RuntimeException e) {
        nanos += System.nanoTime() - start;
        report(true);
        throw e;
      }
      nanos += System.nanoTime() - start;
      if (!more) {
        report(false);
      }
      return more;
    }

    @Override
    public StoredEvent next() {
      long start = System.nanoTime();
      try {
        StoredEvent event = result.events().next();
        count++;
        return event;
      } catch (NoSuchElementException e) {
        throw e;
      } catch (RuntimeException e) {
        report(true);
        throw e;
      } finally {
        nanos += System.nanoTime() - start;
      }
    }

    private void report(boolean failed) {
      if (!reported) {
        reported = true;
        observer.queryEnded(
            new QueryReport(database, kind, query, result.revision(), count, nanos, failed));
      }
    }
  }
}
