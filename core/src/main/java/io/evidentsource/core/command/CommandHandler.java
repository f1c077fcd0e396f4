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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
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
    boolean grouped = storage.maxGroupTransactions() > 1;
    // read here, on the request's thread: in group commit another thread may append it
    var pending = new Pending(transaction, id, grouped ? observer.traceContext() : Map.of());
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
            return grouped
                ? commitGrouped(seen, pending)
                : indexes.withWriteLock(seen, () -> attempt(seen, transaction, id));
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
        try {
          storage.awaitDurable(database, seen.generation(), result.revision());
        } catch (EvidentSourceException e) {
          // written, but its sync failed: the id is how the client finds out (a retry with it)
          if (e.code() == ErrorCode.COMMIT_UNKNOWN && !e.fields().containsKey("transaction_id")) {
            throw e.withField("transaction_id", result.transactionId().toString());
          }
          throw e;
        }
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

  // ---- group commit (docs/dynamodb.md#group-commit) ----

  /** How long a queued transaction sleeps before it looks again whether its group is done. */
  private static final long GROUP_WAIT_NANOS = 2_000_000;

  /** Transactions waiting for group commit, per database name and generation. */
  private final ConcurrentHashMap<String, ConcurrentLinkedDeque<Pending>> groupQueues =
      new ConcurrentHashMap<>();

  /**
   * A transaction in group commit: queued for its database, then done with a result, a failure, or
   * neither (sent back to try again after the head moved). The owner thread writes it only while it
   * is not queued; a leader writes it only under the database's index write lock; {@code state}
   * publishes the rest.
   */
  private static final class Pending {
    final Transaction tx;
    final UUID id;
    final Map<String, String> traceContext;
    volatile boolean queued;
    int retriesInPlace; // leader only
    @Nullable Thread owner;
    @Nullable TransactionResult result;
    @Nullable RuntimeException failure;

    Pending(Transaction tx, UUID id, Map<String, String> traceContext) {
      this.tx = tx;
      this.id = id;
      this.traceContext = traceContext;
    }

    void enqueue() {
      result = null;
      failure = null;
      owner = Thread.currentThread();
      queued = true;
    }

    void complete(TransactionResult r) {
      result = r;
      done();
    }

    void fail(RuntimeException e) {
      failure = e;
      done();
    }

    void retry() {
      done();
    }

    private void done() {
      queued = false;
      var thread = owner;
      if (thread != null) {
        LockSupport.unpark(thread);
      }
    }
  }

  private ConcurrentLinkedDeque<Pending> groupQueue(DatabaseInfo info) {
    return groupQueues.computeIfAbsent(
        info.name().value() + "#" + info.generation(), k -> new ConcurrentLinkedDeque<>());
  }

  /**
   * Group commit: queues {@code me} for its database; whichever queued thread gets the database's
   * index write lock leads: it takes the queued transactions in order, as many as one {@link
   * StorageAdapter#appendGroup} holds, evaluates each against the index and the members before it,
   * and appends them together, until its own transaction is done. The others sleep until a leader
   * finished theirs or hands the lead on. Returns {@code me}'s result, throws its failure, or
   * returns null when the head moved and it must be tried again.
   */
  private @Nullable TransactionResult commitGrouped(DatabaseInfo seen, Pending me) {
    var queue = groupQueue(seen);
    me.enqueue();
    queue.addLast(me);
    while (me.queued) {
      boolean led =
          indexes.tryWithWriteLock(
              seen,
              () -> {
                while (me.queued && !queue.isEmpty()) {
                  lead(seen, queue);
                }
              });
      if (led) {
        Pending next = queue.peekFirst(); // hand the lead on without waiting for a timeout
        if (next != null && next.owner != null) {
          LockSupport.unpark(next.owner);
        }
      } else if (me.queued) {
        LockSupport.parkNanos(this, GROUP_WAIT_NANOS);
      }
    }
    RuntimeException failure = me.failure;
    if (failure != null) {
      throw failure;
    }
    return me.result;
  }

  /** Takes the next group off {@code queue} and commits it. Caller holds the write lock. */
  private void lead(DatabaseInfo seen, ConcurrentLinkedDeque<Pending> queue) {
    int max = storage.maxGroupTransactions();
    var candidates = new ArrayList<Pending>();
    for (Pending p : queue) { // only the lock holder takes from the queue: these come first
      if (candidates.size() >= max) {
        break;
      }
      candidates.add(p);
    }
    int n;
    try {
      n =
          storage.fittingOneAppend(
              seen.name(), candidates.stream().map(p -> p.tx.events()).toList());
    } catch (RuntimeException e) {
      n = 1; // the adapter's own limits decide when it writes
    }
    n = Math.max(1, Math.min(n, candidates.size()));
    var group = new ArrayList<Pending>(n);
    for (int i = 0; i < n; i++) {
      group.add(queue.pollFirst());
    }
    var deferred = new ArrayList<Pending>();
    try {
      commitGroup(seen, group, deferred);
    } catch (RuntimeException e) {
      for (Pending p : group) {
        if (p.queued && !deferred.contains(p)) {
          p.fail(forMember(e, p));
        }
      }
    } finally {
      for (int i = deferred.size() - 1; i >= 0; i--) {
        queue.addFirst(deferred.get(i)); // evaluated again by the next leader
      }
    }
  }

  /**
   * Evaluates one group in order and appends the members that pass in one storage write; each
   * member ends done (result or failure), sent back to retry, or in {@code deferred} when its
   * verdict depends on members before it that are not committed yet.
   */
  private void commitGroup(DatabaseInfo seen, List<Pending> group, List<Pending> deferred) {
    DatabaseName database = seen.name();
    DatabaseIndex index = indexes.index(seen);
    if (index.generation() != seen.generation()) {
      group.forEach(Pending::retry); // catalog changed under us; re-read
      return;
    }
    // The index holds only committed events here (a group is indexed once it is written), so a
    // head beyond the one read is this process's own commits: build on it; other processes'
    // commits surface as HeadMoved.
    DatabaseInfo info = index.revision() > seen.revision() ? pendingHead(seen, index) : seen;
    indexes.catchUp(index, info.revision());
    IndexSnapshot snapshot = index.snapshot(info.revision());
    var accepted = new ArrayList<Pending>();
    var hashes = new ArrayList<long[]>();
    var overlay = new ArrayList<StoredEvent>(); // the accepted members' events at their revisions
    long head = info.revision();
    Instant now = clock.instant();
    Instant recorded = now.isBefore(info.revisionTime()) ? info.revisionTime() : now;
    for (Pending p : group) {
      try {
        if (sameId(accepted, p) || !distinctFrom(overlay, p.tx)) {
          deferred.add(p); // the next group sees whether the earlier member committed
          continue;
        }
        long[] idHashes;
        try {
          idHashes = rejectDuplicateIds(info, index, p.tx.events());
        } catch (EvidentSourceException e) {
          p.complete(committedMeanwhile(info, p.tx, p.id, e));
          continue;
        }
        if (!p.tx.conditions().isEmpty()
            && !checkConditions(database, snapshot, overlay, p.tx.conditions())) {
          deferred.add(p);
          continue;
        }
        accepted.add(p);
        hashes.add(idHashes);
        long r = head;
        for (Event e : p.tx.events()) {
          overlay.add(new StoredEvent(++r, recorded, e));
        }
        head = r;
      } catch (RuntimeException e) {
        p.fail(e);
      }
    }
    if (accepted.isEmpty()) {
      return;
    }
    var requests = new ArrayList<AppendRequest>(accepted.size());
    long expected = info.revision();
    for (Pending p : accepted) {
      requests.add(
          new AppendRequest(
              database,
              info.generation(),
              expected,
              p.tx.events(),
              p.id,
              recorded,
              p.tx.origin(),
              p.traceContext));
      expected += p.tx.events().size();
    }
    AppendOutcome outcome;
    try (var scope = observer.open(Step.STORAGE_APPEND, database)) {
      try {
        outcome = storage.appendGroup(requests);
      } catch (RuntimeException e) {
        scope.failed(e);
        for (Pending p : accepted) {
          p.fail(forMember(e, p, requests.get(0).transactionId()));
        }
        return;
      }
    }
    outcome.<@Nullable Void>match(
        committed -> {
          for (int i = 0; i < accepted.size(); i++) {
            var r = requests.get(i);
            int n = r.events().size();
            var result =
                new TransactionResult(
                    r.transactionId(),
                    r.expectedHead() + 1,
                    r.expectedHead() + n,
                    n,
                    recorded,
                    false);
            accepted.get(i).complete(indexCommitted(index, r.events(), result, hashes.get(i)));
          }
          return null;
        },
        headMoved -> {
          // another instance committed first: index its events and give the group another go
          // right away, ahead of later arrivals, instead of sending every member back to read
          // the head again
          indexes.catchUp(index, headMoved.actualHead());
          for (Pending p : accepted) {
            again(p, deferred);
          }
          return null;
        },
        duplicate -> {
          for (Pending p : accepted) {
            if (p.id.equals(duplicate.original().transactionId())) {
              p.complete(duplicate.original().asDuplicate());
            } else {
              again(p, deferred);
            }
          }
          return null;
        });
    deferred.sort(java.util.Comparator.comparingInt(group::indexOf)); // back in arrival order
  }

  /** How often a group member is tried again in place after its group lost a race. */
  private static final int GROUP_RETRIES_IN_PLACE = 3;

  /**
   * Queues a member of a group that was not written for the next group, or, after {@link
   * #GROUP_RETRIES_IN_PLACE} such tries, sends it back to its own thread, which reads the head
   * again within its contention deadline.
   */
  private static void again(Pending p, List<Pending> deferred) {
    if (++p.retriesInPlace <= GROUP_RETRIES_IN_PLACE) {
      deferred.add(p);
    } else {
      p.retriesInPlace = 0;
      p.retry();
    }
  }

  /**
   * The failure a group member gets when its group's append failed: the same, except that a {@code
   * COMMIT_UNKNOWN} names the member's own transaction id.
   */
  private static RuntimeException forMember(RuntimeException e, Pending p) {
    return forMember(e, p, null);
  }

  /**
   * {@link #forMember(RuntimeException, Pending)} for a failure whose message names {@code named},
   * the transaction id the storage was asked about: the member's message names its own.
   */
  private static RuntimeException forMember(RuntimeException e, Pending p, @Nullable UUID named) {
    if (e instanceof EvidentSourceException es && es.code() == ErrorCode.COMMIT_UNKNOWN) {
      var fields = new LinkedHashMap<String, Object>(es.fields());
      fields.put("transaction_id", p.id.toString());
      String detail =
          named == null
              ? es.getMessage()
              : es.getMessage().replace(named.toString(), p.id.toString());
      var mine =
          new EvidentSourceException(ErrorCode.COMMIT_UNKNOWN, detail, fields, es.getCause());
      mine.setStackTrace(es.getStackTrace());
      return mine;
    }
    return e;
  }

  /**
   * True when an accepted member carries {@code p}'s transaction id (two requests with one id at
   * once): one storage write cannot record an id twice, and the later one is answered as a
   * duplicate once the earlier one committed.
   */
  private static boolean sameId(List<Pending> accepted, Pending p) {
    for (Pending a : accepted) {
      if (a.id.equals(p.id)) {
        return true;
      }
    }
    return false;
  }

  /** False when an event of {@code tx} has the id and source of an event in {@code overlay}. */
  private static boolean distinctFrom(List<StoredEvent> overlay, Transaction tx) {
    for (Event e : tx.events()) {
      for (StoredEvent o : overlay) {
        if (o.event().id().equals(e.id()) && o.event().source().equals(e.source())) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Evaluates conditions at the committed snapshot plus the events of the group members before this
   * one ({@code overlay}). Returns true when all hold, false when one fails only because of the
   * overlay (the member is evaluated again once the overlay committed or failed), and throws when
   * one fails on committed events alone.
   */
  private boolean checkConditions(
      DatabaseName database,
      IndexSnapshot snapshot,
      List<StoredEvent> overlay,
      List<AppendCondition> conditions) {
    try (var scope = observer.open(Step.CONDITIONS, database)) {
      var failures = new ArrayList<FailedCondition>();
      for (AppendCondition c : conditions) {
        long committed = snapshot.highestMatching(c.selector());
        long highest = committed;
        for (StoredEvent o : overlay) {
          if (o.revision() > highest && c.selector().matches(o.event())) {
            highest = o.revision();
          }
        }
        if (!c.holds(highest)) {
          if (highest != committed) {
            return false;
          }
          failures.add(new FailedCondition(c, highest));
        }
      }
      if (!failures.isEmpty()) {
        var failed = new ConditionFailedException(database.value(), snapshot.revision(), failures);
        scope.failed(failed);
        throw failed;
      }
      return true;
    }
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
    long[] idHashes;
    try {
      idHashes = rejectDuplicateIds(info, index, tx.events());
    } catch (EvidentSourceException e) {
      return committedMeanwhile(info, tx, id, e);
    }
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

  /**
   * For a transaction whose events are already stored: the original result when it carries a client
   * transaction id that committed since it was looked up (the same request sent twice at once), so
   * that it is answered as a duplicate, not as a conflict (docs/data-model.md#fine-points);
   * otherwise throws {@code e}.
   */
  private TransactionResult committedMeanwhile(
      DatabaseInfo info, Transaction tx, UUID id, EvidentSourceException e) {
    if (e.code() == ErrorCode.DUPLICATE_EVENT_ID && tx.transactionId() != null) {
      var known = storage.findTransaction(info.name(), info.generation(), id);
      if (known.isPresent()) {
        return known.get().asDuplicate();
      }
    }
    throw e;
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
