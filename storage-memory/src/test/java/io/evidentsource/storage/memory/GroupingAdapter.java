package io.evidentsource.storage.memory;

import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory log with group commit turned on, for testing the core's group commit without
 * DynamoDB: {@link #appendGroup} writes the requests one after another while holding one lock,
 * after checking every transaction id and the head first, so within this process a group is all or
 * nothing as in a {@code TransactWriteItems}. Each group write sleeps {@code writeMillis} like a
 * round trip, so concurrent transactions queue up behind it and form groups; {@link #writes()}
 * counts the group writes.
 */
final class GroupingAdapter implements StorageAdapter {
  private final StorageAdapter log;
  private final int maxGroup;
  private final long writeMillis;
  private final AtomicInteger writes = new AtomicInteger();
  private final Queue<AppendRequest> requests = new ConcurrentLinkedQueue<>();

  GroupingAdapter(StorageAdapter log, int maxGroup, long writeMillis) {
    this.log = log;
    this.maxGroup = maxGroup;
    this.writeMillis = writeMillis;
  }

  private volatile int loseAnswerOf;

  /**
   * Makes the {@code n}-th group write (counted from 1) commit but answer {@code COMMIT_UNKNOWN},
   * as DynamoDB's lost answers do, naming its first transaction id.
   */
  void loseAnswerOfWrite(int n) {
    loseAnswerOf = n;
  }

  /** Every request handed to {@link #appendGroup} so far, in order. */
  List<AppendRequest> requests() {
    return List.copyOf(requests);
  }

  /** Group writes so far. */
  int writes() {
    return writes.get();
  }

  @Override
  public int maxGroupTransactions() {
    return maxGroup;
  }

  @Override
  public int fittingOneAppend(DatabaseName database, List<List<Event>> transactions) {
    int items = 1;
    int n = 0;
    for (List<Event> events : transactions) {
      if (n >= maxGroup || (n > 0 && items + events.size() + 1 > 100)) {
        break;
      }
      items += events.size() + 1;
      n++;
    }
    return n;
  }

  @Override
  public synchronized AppendOutcome appendGroup(List<AppendRequest> requests) {
    int write = writes.incrementAndGet();
    this.requests.addAll(requests);
    LockSupport.parkNanos(writeMillis * 1_000_000);
    AppendRequest first = requests.get(0);
    for (AppendRequest r : requests) {
      var known = log.findTransaction(r.database(), r.generation(), r.transactionId());
      if (known.isPresent()) {
        return new AppendOutcome.Duplicate(known.get());
      }
    }
    long head = log.findDatabase(first.database()).map(DatabaseInfo::revision).orElse(-1L);
    if (head != first.expectedHead()) {
      return new AppendOutcome.HeadMoved(head);
    }
    AppendOutcome last = null;
    for (AppendRequest r : requests) {
      last = log.append(r);
      if (!(last instanceof AppendOutcome.Committed)) {
        throw new IllegalStateException("group member not committed: " + last);
      }
    }
    if (write == loseAnswerOf) {
      throw new EvidentSourceException(
          ErrorCode.COMMIT_UNKNOWN,
          "no answer whether transaction " + first.transactionId() + " committed",
          Map.of("transaction_id", first.transactionId().toString()));
    }
    return last;
  }

  @Override
  public AppendOutcome append(AppendRequest request) {
    return appendGroup(List.of(request));
  }

  @Override
  public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
    return log.createDatabase(name, createdAt);
  }

  @Override
  public boolean deleteDatabase(DatabaseName name, @Nullable String deleteKey) {
    return log.deleteDatabase(name, deleteKey);
  }

  @Override
  public List<DatabaseInfo> listDatabases() {
    return log.listDatabases();
  }

  @Override
  public Optional<DatabaseInfo> findDatabase(DatabaseName name) {
    return log.findDatabase(name);
  }

  @Override
  public void checkAppendable(DatabaseName database, List<Event> events) {
    log.checkAppendable(database, events);
  }

  @Override
  public List<StoredEvent> readRange(
      DatabaseName database, long generation, long fromRevision, long toRevision) {
    return log.readRange(database, generation, fromRevision, toRevision);
  }

  @Override
  public List<StoredEvent> readRevisions(DatabaseName database, long generation, long[] revisions) {
    return log.readRevisions(database, generation, revisions);
  }

  @Override
  public Optional<TransactionResult> findTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    return log.findTransaction(database, generation, transactionId);
  }

  @Override
  public Optional<TransactionRecord> readTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    return log.readTransaction(database, generation, transactionId);
  }
}
