package io.evidentsource.server.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Kafka settings of the {@code dynamodb-kafka} profile, bound from {@code evidentsource.kafka.*}.
 *
 * @param bootstrapServers the brokers to connect to, {@code host:port[,host:port...]}; required
 * @param topic the topic every database's events go to (key = database name)
 * @param retries producer retries of a record (the producer is idempotent, so retries neither
 *     duplicate nor reorder)
 * @param publishTimeout how long to wait for the brokers to acknowledge a transaction before the
 *     relay tries again
 */
@ConfigurationProperties("evidentsource.kafka")
record KafkaProperties(
    @Nullable String bootstrapServers,
    @DefaultValue("evidentsource-events") String topic,
    @DefaultValue("10") int retries,
    @DefaultValue("30s") Duration publishTimeout) {

  KafkaProperties {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "evidentsource.kafka.bootstrap-servers must be set for the dynamodb-kafka profile"
              + " (EVIDENTSOURCE_KAFKA_BOOTSTRAP_SERVERS=host:9092)");
    }
    if (topic.isBlank() || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(
          "evidentsource.kafka.topic must be 1-249 characters of [a-zA-Z0-9._-], was '"
              + topic
              + "'");
    }
    if (retries < 0) {
      throw new IllegalArgumentException(
          "evidentsource.kafka.retries must be >= 0, was " + retries);
    }
    if (publishTimeout.isNegative() || publishTimeout.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.kafka.publish-timeout must be positive, was " + publishTimeout);
    }
  }
}
