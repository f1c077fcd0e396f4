package io.evidentsource.storage.dynamodb.kafka;

import io.evidentsource.core.port.Storage;
import io.evidentsource.storage.dynamodb.DynamoDbStorage;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.Producer;

/**
 * The DynamoDB + Kafka production storage assembled: the shared DynamoDB log and components of
 * {@link DynamoDbStorage}, with every committed event published to a Kafka topic, keyed by
 * database, by the storage's relay (docs/dynamodb.md#notifications, ADR 0006).
 */
public final class DynamoDbKafkaStorage {
  private DynamoDbKafkaStorage() {}

  /**
   * Where and how events are published.
   *
   * @param bootstrapServers the brokers, {@code host:port[,host:port...]}
   * @param topic the topic every database's events go to (key = database name)
   * @param retries producer retries of a record (the producer is idempotent: retries neither
   *     duplicate nor reorder), ≥ 0
   * @param publishTimeout how long to wait for the brokers to acknowledge a transaction before the
   *     relay tries again, positive
   */
  public record Settings(
      String bootstrapServers, String topic, int retries, Duration publishTimeout) {
    public Settings {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(topic, "topic");
      if (retries < 0) {
        throw new IllegalArgumentException("retries must be >= 0, was " + retries);
      }
      if (publishTimeout.isNegative() || publishTimeout.isZero()) {
        throw new IllegalArgumentException(
            "publishTimeout must be positive, was " + publishTimeout);
      }
    }
  }

  /**
   * Builds and starts the storage with its own idempotent producer, closed with the storage.
   *
   * @param dynamoDb the DynamoDB settings (clients, tables, bucket, relay)
   * @param kafka where and how events are published
   * @throws io.evidentsource.storage.dynamodb.DynamoDbSetupException when a table or the bucket is
   *     missing or not as expected
   */
  public static Storage create(DynamoDbStorage.Builder dynamoDb, Settings kafka) {
    return create(dynamoDb, kafka, UnaryOperator.identity());
  }

  /**
   * Builds and starts the storage with its own idempotent producer, as {@code producer} wraps it
   * (e.g. OpenTelemetry's Kafka client instrumentation, which makes a span per record sent), closed
   * with the storage.
   *
   * @param dynamoDb the DynamoDB settings (clients, tables, bucket, relay)
   * @param kafka where and how events are published
   * @param producer wraps the producer the storage creates; returns it or a delegating producer
   * @throws io.evidentsource.storage.dynamodb.DynamoDbSetupException when a table or the bucket is
   *     missing or not as expected
   */
  public static Storage create(
      DynamoDbStorage.Builder dynamoDb,
      Settings kafka,
      UnaryOperator<Producer<String, byte[]>> producer) {
    var publisher =
        KafkaEventPublisher.create(
            kafka.bootstrapServers(),
            kafka.topic(),
            kafka.retries(),
            kafka.publishTimeout(),
            producer);
    return dynamoDb.publisher(publisher).closeWithStorage(publisher).build();
  }
}
