package io.evidentsource.server;

import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.dynamodb.DynamoDbClients;
import io.evidentsource.storage.dynamodb.DynamoDbSchema;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.NotificationRelay;
import io.evidentsource.storage.dynamodb.PublishingStorageAdapter;
import io.evidentsource.storage.dynamodb.kafka.KafkaEventPublisher;
import io.evidentsource.storage.dynamodb.sns.SnsClients;
import io.evidentsource.storage.dynamodb.sns.SnsEventPublisher;
import java.time.Clock;
import java.util.UUID;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.annotation.Profile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Profiles {@code dynamodb-sns} and {@code dynamodb-kafka}: the shared DynamoDB log (tables
 * created or checked at start), with each committed transaction announced through the profile's
 * {@link EventPublisher} by a {@link NotificationRelay} (at least once, in revision order per
 * database). Any number of instances may run on the same tables.
 */
@Configuration(proxyBeanMethods = false)
@Profile({"dynamodb-sns", "dynamodb-kafka"})
@EnableConfigurationProperties(DynamoDbProperties.class)
class DynamoDbStorageConfiguration {

  @Bean(destroyMethod = "close")
  DynamoDbClient dynamoDbClient(DynamoDbProperties properties) {
    return DynamoDbClients.dynamoDb(properties.clientSettings());
  }

  @Bean
  DynamoDbStorageAdapter dynamoDbStorageAdapter(
      DynamoDbClient client, DynamoDbProperties properties) {
    DynamoDbSchema.ensure(client, properties.tables(), properties.createTables());
    return new DynamoDbStorageAdapter(client, properties.tables(), properties.cachedEvents());
  }

  @Bean(initMethod = "start", destroyMethod = "close")
  NotificationRelay notificationRelay(
      DynamoDbStorageAdapter storage,
      DynamoDbClient client,
      EventPublisher publisher,
      DynamoDbProperties properties,
      Clock clock) {
    return new NotificationRelay(
        storage,
        client,
        publisher,
        new NotificationRelay.Settings(
            UUID.randomUUID().toString(),
            properties.publishLease(),
            properties.publishSweep(),
            500),
        clock);
  }

  /** The adapter the core uses: the log plus notifications. */
  @Bean
  @Primary
  StorageAdapter storageAdapter(DynamoDbStorageAdapter storage, NotificationRelay relay) {
    return new PublishingStorageAdapter(storage, relay);
  }

  /** Profile {@code dynamodb-sns}: transactions go to an SNS topic. */
  @Configuration(proxyBeanMethods = false)
  @Profile("dynamodb-sns")
  @EnableConfigurationProperties(SnsProperties.class)
  static class Sns {
    @Bean(destroyMethod = "close")
    SnsClient snsClient(DynamoDbProperties properties) {
      return SnsClients.sns(properties.clientSettings());
    }

    @Bean
    EventPublisher snsEventPublisher(SnsClient sns, SnsProperties properties) {
      return new SnsEventPublisher(sns, properties.topicArn());
    }
  }

  /** Profile {@code dynamodb-kafka}: events go to a Kafka topic. */
  @Configuration(proxyBeanMethods = false)
  @Profile("dynamodb-kafka")
  @EnableConfigurationProperties(KafkaProperties.class)
  static class Kafka {
    @Bean(destroyMethod = "close")
    KafkaEventPublisher kafkaEventPublisher(KafkaProperties properties) {
      return KafkaEventPublisher.create(
          properties.bootstrapServers(),
          properties.topic(),
          properties.retries(),
          properties.publishTimeout());
    }
  }
}
