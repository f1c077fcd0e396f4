package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The DynamoDB log plus notifications: every committed append asks the {@link NotificationRelay}
 * for a publishing round of its database. The append is acknowledged once DynamoDB committed it;
 * announcing it follows asynchronously and at least once (the relay's watermark and sweep cover a
 * crash in between).
 */
public final class PublishingStorageAdapter implements StorageAdapter {
  private final DynamoDbStorageAdapter storage;
  private final NotificationRelay relay;

  /**
   * @param storage the DynamoDB log
   * @param relay the relay publishing from that log
   */
  public PublishingStorageAdapter(DynamoDbStorageAdapter storage, NotificationRelay relay) {
    this.storage = storage;
    this.relay = relay;
  }

  @Override
  public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
    return storage.createDatabase(name, createdAt);
  }

  @Override
  public void deleteDatabase(DatabaseName name) {
    storage.deleteDatabase(name);
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
    AppendOutcome outcome = storage.append(request);
    boolean wrote = outcome.match(committed -> true, headMoved -> false, duplicate -> false);
    if (wrote) {
      relay.committed(request.database());
    }
    return outcome;
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
