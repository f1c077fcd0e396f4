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
   *     (docs/operations.md#traces); empty when there is none
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
   * Hands the request's trace context to the relay for the group's last revision, appends through
   * the log, then asks the relay to publish. The context goes first, so that a sweep publishing the
   * commit before this method returns publishes it with its context (docs/operations.md#traces).
   */
  @Override
  public AppendOutcome appendGroup(List<AppendRequest> requests) {
    AppendRequest last = requests.get(requests.size() - 1);
    DatabaseName database = last.database();
    long revision = last.expectedHead() + last.events().size();
    relay.committing(database, revision, last.recordedTime(), traceContext.get());
    AppendOutcome outcome;
    try {
      outcome = storage.appendGroup(requests);
    } catch (EvidentSourceException e) {
      if (e.code() == ErrorCode.COMMIT_UNKNOWN) {
        relay.committed(database); // announce it soon if it did commit
      } else {
        relay.notCommitted(database, revision, last.recordedTime());
      }
      throw e;
    } catch (RuntimeException e) {
      relay.notCommitted(database, revision, last.recordedTime());
      throw e;
    }
    boolean wrote = outcome.match(committed -> true, headMoved -> false, duplicate -> false);
    if (wrote) {
      relay.committed(database);
    } else {
      relay.notCommitted(database, revision, last.recordedTime());
    }
    return outcome;
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
