package io.evidentsource.core.port;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import java.util.List;
import java.util.Map;

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

  /**
   * Publishes one committed transaction with the trace context of the request that committed it
   * (docs/operations.md#traces): the W3C {@code traceparent} and {@code tracestate} headers, which
   * SNS carries as message attributes and Kafka as record headers. The default ignores the context.
   *
   * @param traceContext header names to values; empty when the commit's context is unknown (a
   *     transaction republished after a restart, or committed by another instance)
   */
  default void publish(
      DatabaseName database, List<StoredEvent> transaction, Map<String, String> traceContext) {
    publish(database, transaction);
  }
}
