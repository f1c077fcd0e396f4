package io.evidentsource.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Kafka ingress, bound from {@code evidentsource.kafka.ingress.*} (docs/kafka-ingress.md): an
 * optional consumer, off by default, that appends the CloudEvents of Kafka topics to one database,
 * exactly once, in every storage profile.
 *
 * @param enabled whether the ingress runs
 * @param bootstrapServers the brokers to read from, {@code host:port[,host:port...]}; defaults to
 *     {@code evidentsource.kafka.bootstrap-servers} (the {@code dynamodb-kafka} profile's brokers)
 * @param topics the topics to read (comma-separated or indexed), at least one; never the topic the
 *     {@code dynamodb-kafka} profile publishes commits to
 * @param database the database every event is appended to (it must exist; records wait until it
 *     does)
 * @param groupId the consumer group; server instances with the same group share the partitions
 * @param deadLetterTopic where records that are no valid event, or that the database refuses for
 *     good, are sent with headers naming the error
 * @param principal the principal recorded with each transaction for the audit (origin {@code
 *     kafka})
 * @param pollTimeout how long one poll waits for records
 * @param maxPollRecords most records one poll returns (1 to 10,000); each record is one
 *     transaction, appended before the next
 * @param retryBackoff how long a partition waits before a record that failed for a reason that may
 *     pass (storage unavailable, contention, the database missing) is read again
 * @param properties further Kafka client settings for the consumer and the dead-letter producer,
 *     e.g. {@code evidentsource.kafka.ingress.properties[security.protocol]=SSL}; the settings
 *     exactly-once delivery depends on (commits, deserializers, isolation level, group, brokers)
 *     cannot be changed here
 */
@ConfigurationProperties("evidentsource.kafka.ingress")
record KafkaIngressProperties(
    @DefaultValue("false") boolean enabled,
    @Nullable String bootstrapServers,
    @DefaultValue List<String> topics,
    @Nullable String database,
    @DefaultValue("evidentsource-ingress") String groupId,
    @DefaultValue("evidentsource-ingress-dlt") String deadLetterTopic,
    @DefaultValue("kafka-ingress") String principal,
    @DefaultValue("1s") Duration pollTimeout,
    @DefaultValue("100") int maxPollRecords,
    @DefaultValue("1s") Duration retryBackoff,
    @DefaultValue Map<String, String> properties) {}
