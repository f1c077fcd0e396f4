package io.evidentsource.storage.dynamodb;

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
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The DynamoDB log plus notifications: every committed append asks the {@link NotificationRelay}
 * for a publishing round of its database. The append is acknowledged once DynamoDB committed it;
 * announcing it follows asynchronously and at least once (the relay's watermark and sweep cover a
 * crash in between).
 */
public final class PublishingStorageAdapter implements StorageAdapter {
  private final DynamoDbStorageAdapter storage;
  private final NotificationRelay relay;
  private final Supplier<Map<String, String>> traceContext;

  /**
   * Publishes without trace context.
   *
   * @param storage the DynamoDB log
   * @param relay the relay publishing from that log
   */
  public PublishingStorageAdapter(DynamoDbStorageAdapter storage, NotificationRelay relay) {
    this(storage, relay, Map::of);
  }

  /**
   * @param storage the DynamoDB log
   * @param relay the relay publishing from that log
   * @param traceContext the current request's W3C trace headers ({@code traceparent}, {@code
   *     tracestate}), read on the committing thread and published with the transaction
   *     (docs/operations.md#traces) when the core appends one transaction at a time; in group
   *     commit each request carries its own ({@link AppendRequest#traceContext()}); empty when
   *     there is none
   */
  public PublishingStorageAdapter(
      DynamoDbStorageAdapter storage,
      NotificationRelay relay,
      Supplier<Map<String, String>> traceContext) {
    this.storage = storage;
    this.relay = relay;
    this.traceContext = traceContext;
  }

  @Override
  public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
    return storage.createDatabase(name, createdAt);
  }

  @Override
  public boolean deleteDatabase(DatabaseName name, @Nullable String deleteKey) {
    return storage.deleteDatabase(name, deleteKey);
  }

  @Override
  public List<DatabaseInfo> listDatabases() {
    return storage.listDatabases();
  }

  @Override
  public Optional<DatabaseInfo> findDatabase(DatabaseName name) {
    return storage.findDatabase(name);
  }

  @Override
  public AppendOutcome append(AppendRequest request) {
    return appendGroup(List.of(request));
  }

  @Override
  public int maxGroupTransactions() {
    return storage.maxGroupTransactions();
  }

  @Override
  public int fittingOneAppend(DatabaseName database, List<List<Event>> transactions) {
    return storage.fittingOneAppend(database, transactions);
  }

  /**
   * Hands each transaction's trace context to the relay for its last revision, appends through the
   * log, then asks the relay to publish. The contexts go first, so that a sweep publishing the
   * commit before this method returns publishes it with them (docs/operations.md#traces).
   *
   * <p>In group commit ({@link #maxGroupTransactions()} above 1) this runs on one member's thread
   * for all of them, and each request carries the context the core read on its own request's thread
   * ({@link AppendRequest#traceContext()}); reading the current thread's would give every member
   * the leader's. Otherwise the core appends one transaction at a time on its request's thread, and
   * a request without a context of its own gets the one read here.
   */
  @Override
  public AppendOutcome appendGroup(List<AppendRequest> requests) {
    DatabaseName database = requests.get(0).database();
    boolean grouped = storage.maxGroupTransactions() > 1;
    Map<String, String> here = grouped ? Map.of() : traceContext.get();
    for (AppendRequest r : requests) {
      Map<String, String> context = r.traceContext().isEmpty() ? here : r.traceContext();
      relay.committing(database, lastRevision(r), r.recordedTime(), context);
    }
    AppendOutcome outcome;
    try {
      outcome = storage.appendGroup(requests);
    } catch (EvidentSourceException e) {
      if (e.code() == ErrorCode.COMMIT_UNKNOWN) {
        relay.committed(database); // announce it soon if it did commit
      } else {
        notCommitted(requests);
      }
      throw e;
    } catch (RuntimeException e) {
      notCommitted(requests);
      throw e;
    }
    boolean wrote = outcome.match(committed -> true, headMoved -> false, duplicate -> false);
    if (wrote) {
      relay.committed(database);
    } else {
      notCommitted(requests);
    }
    return outcome;
  }

  /** The revision of a request's last event if it commits. */
  private static long lastRevision(AppendRequest r) {
    return r.expectedHead() + r.events().size();
  }

  private void notCommitted(List<AppendRequest> requests) {
    for (AppendRequest r : requests) {
      relay.notCommitted(r.database(), lastRevision(r), r.recordedTime());
    }
  }

  @Override
  public void checkAppendable(DatabaseName database, List<Event> events) {
    storage.checkAppendable(database, events);
  }

  @Override
  public List<StoredEvent> readRange(
      DatabaseName database, long generation, long fromRevision, long toRevision) {
    return storage.readRange(database, generation, fromRevision, toRevision);
  }

  @Override
  public List<StoredEvent> readRevisions(DatabaseName database, long generation, long[] revisions) {
    return storage.readRevisions(database, generation, revisions);
  }

  @Override
  public Optional<TransactionResult> findTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    return storage.findTransaction(database, generation, transactionId);
  }

  @Override
  public Optional<TransactionRecord> readTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    return storage.readTransaction(database, generation, transactionId);
  }
}
