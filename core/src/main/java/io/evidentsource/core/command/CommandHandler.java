package io.evidentsource.core.command;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.condition.FailedCondition;
import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.index.DatabaseIndex;
import io.evidentsource.core.index.IndexManager;
import io.evidentsource.core.index.IndexSnapshot;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.EventValidator;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.observe.EventStoreObserver.Step;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Commits transactions (docs/architecture.md#a-write-step-by-step, ADR 0002): validate, return the
 * stored result of a known transaction id, catch the index up to the head, reject duplicate event
 * ids, evaluate the append conditions on the index, then compare-and-set append at that head. When
 * another writer moved the head first, catch up and evaluate again, with jittered backoff, until
 * the contention deadline.
 */
public final class CommandHandler {
  private final StorageAdapter storage;
  private final IndexManager indexes;
  private final EventValidator validator;
  private final Clock clock;
  private final Supplier<UUID> transactionIds;
  private final Duration contentionTimeout;
  private final EventStoreObserver observer;

  /**
   * @param storage the storage adapter
   * @param indexes the index manager shared with the query engine
   * @param validator the event validator with the configured limits
   * @param clock the source of commit times
   * @param transactionIds the source of transaction ids when the client sends none
   * @param contentionTimeout how long to keep retrying when other writers move the head
   * @param observer gets a scope around each condition evaluation and each storage append
   */
  public CommandHandler(
      StorageAdapter storage,
      IndexManager indexes,
      EventValidator validator,
      Clock clock,
      Supplier<UUID> transactionIds,
      Duration contentionTimeout,
      EventStoreObserver observer) {
    this.storage = storage;
    this.indexes = indexes;
    this.validator = validator;
    this.clock = clock;
    this.transactionIds = transactionIds;
    this.contentionTimeout = contentionTimeout;
    this.observer = observer;
  }

  /**
   * Commits {@code transaction} to {@code database} atomically.
   *
   * @return the result; {@link TransactionResult#duplicate()} is true for a known transaction id
   * @throws ConditionFailedException when a condition fails; nothing is written
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}, {@code DUPLICATE_EVENT_ID}, a
   *     validation error, or {@code CONTENTION_TIMEOUT} when the head kept moving
   */
  public TransactionResult transact(DatabaseName database, Transaction transaction) {
    validator.validateBatch(transaction.events());
    storage.checkAppendable(database, transaction.events());
    UUID id =
        transaction.transactionId() != null ? transaction.transactionId() : transactionIds.get();
    return untilCommitted(
        database,
        seen -> {
          if (transaction.transactionId() != null) {
            var known = storage.findTransaction(database, seen.generation(), id);
            if (known.isPresent()) {
              return known.get().asDuplicate();
            }
          }
          try {
            return indexes.withWriteLock(seen, () -> attempt(seen, transaction, id));
          } catch (EvidentSourceException e) {
            // A concurrent retry of this transaction may have committed between the lookup above
            // and the index catch-up: its events then look like duplicates and its effects like a
            // failed condition. The retry gets the original result instead
            // (docs/data-model.md#transactions).
            return committedMeanwhile(seen, transaction, e);
          }
        },
        attempts ->
            "other writers kept moving the head of database '"
                + database
                + "' for "
                + contentionTimeout.toMillis()
                + " ms ("
                + attempts
                + " attempts); retry with the same transaction_id");
  }

  /** One try of a write against the catalog entry it read. */
  @FunctionalInterface
  private interface Attempt {
    /**
     * @return the result, or null when the head or the catalog moved since {@code seen} was read
     */
    @Nullable TransactionResult tryAt(DatabaseInfo seen);
  }

  /**
   * Runs {@code attempt} on a fresh read of {@code database}'s catalog entry until it gives a
   * result, backing off (at most 20 ms, randomised) after the second miss, then waits until that
   * result is durable. The wait is outside any index lock, so the next append to the database may
   * begin meanwhile and share the sync.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}; {@code CONTENTION_TIMEOUT} with the
   *     message {@code timeoutMessage} gives for the number of attempts, once the contention
   *     timeout has passed; whatever {@code attempt} throws
   */
  private TransactionResult untilCommitted(
      DatabaseName database, Attempt attempt, IntFunction<String> timeoutMessage) {
    long deadline = System.nanoTime() + contentionTimeout.toNanos();
    int attempts = 0;
    while (true) {
      DatabaseInfo seen = require(database);
      TransactionResult result = attempt.tryAt(seen);
      if (result != null) {
        storage.awaitDurable(database, seen.generation(), result.revision());
        return result;
      }
      attempts++;
      if (System.nanoTime() > deadline) {
        throw new EvidentSourceException(
            ErrorCode.CONTENTION_TIMEOUT,
            timeoutMessage.apply(attempts),
            Map.of("database", database.value(), "attempts", attempts));
      }
      if (attempts > 2) {
        long capMicros = Math.min(20_000, 100L << Math.min(attempts, 8));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(capMicros) * 1000);
      }
    }
  }

  /**
   * The original result when {@code failure} only arose because a retry with the same client
   * transaction id committed concurrently; otherwise rethrows {@code failure}.
   */
  private TransactionResult committedMeanwhile(
      DatabaseInfo seen, Transaction transaction, EvidentSourceException failure) {
    UUID clientId = transaction.transactionId();
    boolean mayBeOurs =
        failure instanceof ConditionFailedException
            || failure.code() == ErrorCode.DUPLICATE_EVENT_ID;
    if (clientId == null || !mayBeOurs) {
      throw failure;
    }
    var known = storage.findTransaction(seen.name(), seen.generation(), clientId);
    if (known.isEmpty()) {
      throw failure;
    }
    return known.get().asDuplicate();
  }

  /**
   * Appends a transaction recorded elsewhere at the revisions and with the recorded time it had
   * there (the restore of an export, docs/rest.md#restoring-an-export): the index is caught up,
   * duplicate event ids are rejected as for {@link #transact}, then the events are appended with a
   * compare-and-set at head {@code firstRevision - 1}, stamped with {@link
   * RecordedTransaction#recordedTime()} instead of this handler's clock. A server-chosen
   * transaction id is recorded with it. A concurrent writer is not waited out: the position is
   * taken or the restore fails.
   *
   * @return the result, {@code firstRevision..lastRevision} at the given recorded time
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}; {@code DATABASE_NOT_EMPTY} when
   *     {@code firstRevision} is 1 but the database holds events; {@code RESTORE_OUT_OF_ORDER} when
   *     the head is not {@code firstRevision - 1}, or the recorded time is before the head's or
   *     outside {@link EventTime#MIN_ACCEPTED}..{@link EventTime#MAX_ACCEPTED}; {@code
   *     DUPLICATE_EVENT_ID} or a validation error as for {@link #transact}; {@code
   *     CONTENTION_TIMEOUT} when the catalog kept changing under it
   */
  public TransactionResult restore(DatabaseName database, RecordedTransaction transaction) {
    validator.validateBatch(transaction.events());
    storage.checkAppendable(database, transaction.events());
    Instant recorded = transaction.recordedTime();
    if (recorded.isBefore(EventTime.MIN_ACCEPTED) || recorded.isAfter(EventTime.MAX_ACCEPTED)) {
      throw outOfOrder(
          "recorded time "
              + recorded
              + " of revision "
              + transaction.firstRevision()
              + " lies outside "
              + EventTime.MIN_ACCEPTED
              + ".."
              + EventTime.MAX_ACCEPTED
              + ", the range recorded times are indexed on",
          database,
          Map.of("attribute", "recordedtime", "recorded_time", recorded.toString()));
    }
    UUID id = transactionIds.get();
    // a miss means the catalog or the head changed since the read: read again; the position
    // check names a conflict
    return untilCommitted(
        database,
        seen -> {
          checkRestorePosition(seen, transaction);
          return indexes.withWriteLock(seen, () -> restoreAttempt(seen, transaction, id));
        },
        attempts ->
            "database '"
                + database
                + "' kept changing while a restored transaction waited for revision "
                + transaction.firstRevision()
                + " ("
                + attempts
                + " attempts)");
  }

  /** Throws unless {@code info}'s head is where {@code tx} continues the log. */
  private static void checkRestorePosition(DatabaseInfo info, RecordedTransaction tx) {
    long head = info.revision();
    if (head != tx.firstRevision() - 1) {
      if (tx.firstRevision() == 1) {
        throw new EvidentSourceException(
            ErrorCode.DATABASE_NOT_EMPTY,
            "database '"
                + info.name()
                + "' holds "
                + head
                + " events; a restore keeps the revisions of the export and needs an empty"
                + " database (create a new one, or delete and re-create this one)",
            Map.of("database", info.name().value(), "revision", head));
      }
      throw outOfOrder(
          "the restored transaction starts at revision "
              + tx.firstRevision()
              + " but database '"
              + info.name()
              + "' is at revision "
              + head
              + "; restored revisions must continue the head without a gap",
          info.name(),
          Map.of("attribute", "revision", "first_revision", tx.firstRevision(), "revision", head));
    }
    if (head > 0 && tx.recordedTime().isBefore(info.revisionTime())) {
      throw outOfOrder(
          "recorded time "
              + tx.recordedTime()
              + " of revision "
              + tx.firstRevision()
              + " is before "
              + info.revisionTime()
              + ", the recorded time of revision "
              + head
              + "; recorded times must not decrease",
          info.name(),
          Map.of(
              "attribute",
              "recordedtime",
              "recorded_time",
              tx.recordedTime().toString(),
              "head_recorded_time",
              info.revisionTime().toString()));
    }
  }

  private static EvidentSourceException outOfOrder(
      String detail, DatabaseName database, Map<String, Object> more) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("database", database.value());
    fields.putAll(more);
    return new EvidentSourceException(ErrorCode.RESTORE_OUT_OF_ORDER, detail, fields);
  }

  /** One restore attempt under the index write lock; null when the head moved. */
  private @Nullable TransactionResult restoreAttempt(
      DatabaseInfo info, RecordedTransaction tx, UUID id) {
    DatabaseIndex index = indexes.index(info);
    if (index.generation() != info.generation() || index.revision() > info.revision()) {
      return null; // re-created, or a writer of this process committed after our read
    }
    indexes.catchUp(index, info.revision());
    long[] idHashes = rejectDuplicateIds(info, index, tx.events());
    AppendOutcome outcome;
    try (var scope = observer.open(Step.STORAGE_APPEND, info.name())) {
      try {
        outcome =
            storage.beginAppend(
                new AppendRequest(
                    info.name(),
                    info.generation(),
                    info.revision(),
                    tx.events(),
                    id,
                    tx.recordedTime(),
                    tx.origin()));
      } catch (RuntimeException e) {
        scope.failed(e);
        throw e;
      }
    }
    return outcome.<@Nullable TransactionResult>match(
        committed -> indexCommitted(index, tx.events(), committed.result(), idHashes),
        headMoved -> null,
        duplicate -> duplicate.original().asDuplicate());
  }

  /** One attempt under the index write lock; null when the head moved. */
  private @Nullable TransactionResult attempt(DatabaseInfo seen, Transaction tx, UUID id) {
    DatabaseName database = seen.name();
    DatabaseInfo info = seen;
    DatabaseIndex index = indexes.index(info);
    if (index.generation() != info.generation()) {
      return null; // catalog changed under us; re-read
    }
    if (index.revision() > info.revision()) {
      // A writer of this process committed after our read (every local commit is indexed under
      // this lock): read the head again. Other processes' commits surface as HeadMoved instead,
      // so the head is read once per attempt, not twice.
      info = require(database);
      if (info.generation() != index.generation()) {
        return null;
      }
      if (index.revision() > info.revision()) {
        // begun but not yet durable (StorageAdapter#beginAppend): conditions and the
        // compare-and-set build on them; ours becomes durable no earlier than they do
        info = pendingHead(info, index);
      }
    }
    indexes.catchUp(index, info.revision());
    long[] idHashes = rejectDuplicateIds(info, index, tx.events());
    if (!tx.conditions().isEmpty()) {
      checkConditions(info, index, tx.conditions());
    }
    Instant now = clock.instant();
    Instant recorded = now.isBefore(info.revisionTime()) ? info.revisionTime() : now;
    AppendOutcome outcome;
    try (var scope = observer.open(Step.STORAGE_APPEND, database)) {
      try {
        outcome =
            storage.beginAppend(
                new AppendRequest(
                    database,
                    info.generation(),
                    info.revision(),
                    tx.events(),
                    id,
                    recorded,
                    tx.origin()));
      } catch (RuntimeException e) {
        scope.failed(e);
        throw e;
      }
    }
    return outcome.<@Nullable TransactionResult>match(
        committed -> indexCommitted(index, tx.events(), committed.result(), idHashes),
        headMoved -> null, // another writer committed first: the caller tries again
        duplicate -> duplicate.original().asDuplicate());
  }

  /** The head including this process's appends indexed but not yet durable. */
  private static DatabaseInfo pendingHead(DatabaseInfo published, DatabaseIndex index) {
    Instant last = index.lastRecordedTime();
    Instant time =
        last != null && last.isAfter(published.revisionTime()) ? last : published.revisionTime();
    return new DatabaseInfo(
        published.name(), published.generation(), published.createdAt(), index.revision(), time);
  }

  /** Evaluates the conditions at the head {@code info} read; throws when any fails. */
  private void checkConditions(
      DatabaseInfo info, DatabaseIndex index, List<AppendCondition> conditions) {
    try (var scope = observer.open(Step.CONDITIONS, info.name())) {
      IndexSnapshot snapshot = index.snapshot(info.revision());
      var failures = new ArrayList<FailedCondition>();
      for (AppendCondition c : conditions) {
        long highest = snapshot.highestMatching(c.selector());
        if (!c.holds(highest)) {
          failures.add(new FailedCondition(c, highest));
        }
      }
      if (!failures.isEmpty()) {
        var failed = new ConditionFailedException(info.name().value(), info.revision(), failures);
        scope.failed(failed);
        throw failed;
      }
    }
  }

  /** Adds a committed transaction's events to the index; returns its result. */
  private TransactionResult indexCommitted(
      DatabaseIndex index, List<Event> events, TransactionResult result, long[] idHashes) {
    var stored = new ArrayList<StoredEvent>(events.size());
    long r = result.firstRevision();
    for (Event e : events) {
      stored.add(new StoredEvent(r++, result.recordedTime(), e));
    }
    indexes.applyCommitted(index, stored, idHashes);
    return result;
  }

  /** Throws on a duplicate; returns each event's id hash for indexing after the commit. */
  private long[] rejectDuplicateIds(DatabaseInfo info, DatabaseIndex index, List<Event> events) {
    long[] hashes = new long[events.size()];
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      hashes[i] = DatabaseIndex.idHash(e.source(), e.id());
      for (int j = 0; j < i; j++) { // batches are small (≤ 98): pairwise beats hashing here
        Event other = events.get(j);
        if (other.id().equals(e.id()) && other.source().equals(e.source())) {
          throw duplicate(e, i, null);
        }
      }
      long[] candidates = index.idCandidates(hashes[i]);
      if (candidates.length > 0) {
        for (StoredEvent s : storage.readRevisions(info.name(), info.generation(), candidates)) {
          if (s.event().id().equals(e.id()) && s.event().source().equals(e.source())) {
            throw duplicate(e, i, s.revision());
          }
        }
      }
    }
    return hashes;
  }

  private static EvidentSourceException duplicate(
      Event e, int index, @Nullable Long existingRevision) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("id", e.id());
    fields.put("source", e.source());
    fields.put("index", index);
    if (existingRevision != null) {
      fields.put("existing_revision", existingRevision);
    }
    return new EvidentSourceException(
        ErrorCode.DUPLICATE_EVENT_ID,
        existingRevision != null
            ? "an event with id '"
                + e.id()
                + "' and source '"
                + e.source()
                + "' is already stored at revision "
                + existingRevision
            : "the transaction holds two events with id '"
                + e.id()
                + "' and source '"
                + e.source()
                + "'",
        fields);
  }

  private DatabaseInfo require(DatabaseName database) {
    return storage
        .findDatabase(database)
        .orElseThrow(() -> new DatabaseNotFoundException(database.value()));
  }
}
