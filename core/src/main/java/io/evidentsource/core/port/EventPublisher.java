package io.evidentsource.core.port;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import java.util.List;

/**
 * Announces committed transactions to subscribers outside the server
 * (docs/dynamodb.md#notifications, ADR 0006): SNS, Kafka. Callers publish each database's
 * transactions in revision order and at least once (a relay republishes from the log what a crash
 * left unannounced), so consumers may see a transaction again and drop revisions they have already
 * seen.
 */
public interface EventPublisher {

  /**
   * Publishes one committed transaction and returns once the broker has acknowledged it.
   *
   * @param database the database the transaction was committed to
   * @param transaction its events, at consecutive revisions, at least one
   * @throws RuntimeException when the broker did not take it; the caller publishes it again later
   */
  void publish(DatabaseName database, List<StoredEvent> transaction);
}
