package io.evidentsource.server.config;

import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.server.observe.DatabaseGauges;
import io.evidentsource.storage.dynamodb.ComponentBucket;
import io.evidentsource.storage.dynamodb.DynamoDbClients;
import io.evidentsource.storage.dynamodb.DynamoDbComponentRegistry;
import io.evidentsource.storage.dynamodb.DynamoDbSchema;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.NotificationRelay;
import io.evidentsource.storage.dynamodb.PublishingStorageAdapter;
import io.evidentsource.storage.dynamodb.kafka.KafkaEventPublisher;
import io.evidentsource.storage.dynamodb.sns.SnsClients;
import io.evidentsource.storage.dynamodb.sns.SnsEventPublisher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.annotation.Profile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Profiles {@code dynamodb-sns} and {@code dynamodb-kafka}: the shared DynamoDB log (tables created
 * or checked at start), with each committed transaction announced through the profile's {@link
 * EventPublisher} by a {@link NotificationRelay} (at least once, in revision order per database).
 * Published components live in the {@code -components} table and the S3 bucket {@code
 * evidentsource.dynamodb.components-bucket} (ADR 0007). Any number of instances may run on the same
 * tables and bucket.
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

  /**
   * {@code evidentsource.notifications.pending} per database and {@code
   * evidentsource.notification.relay.errors} (docs/operations.md).
   */
  @Bean
  MeterBinder notificationRelayMetrics(NotificationRelay relay, DatabaseGauges gauges) {
    gauges.followNotifications(relay::pending);
    return registry ->
        FunctionCounter.builder(
                "evidentsource.notification.relay.errors", relay, NotificationRelay::errors)
            .description("Failed publishing rounds and sweeps of the notification relay (retried)")
            .register(registry);
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

  @Bean(destroyMethod = "close")
  S3Client componentsS3Client(DynamoDbProperties properties) {
    return DynamoDbClients.s3(properties.clientSettings());
  }

  /**
   * Components shared by every instance; the tables are ensured by {@link #dynamoDbStorageAdapter}
   * first, the bucket here.
   */
  @Bean
  ComponentRegistry componentRegistry(
      DynamoDbStorageAdapter storage,
      DynamoDbClient client,
      S3Client componentsS3Client,
      DynamoDbProperties properties) {
    String bucket = properties.requiredComponentsBucket();
    ComponentBucket.ensure(
        componentsS3Client,
        bucket,
        properties.createTables(),
        "evidentsource.dynamodb.components-bucket");
    return new DynamoDbComponentRegistry(client, storage.tables(), componentsS3Client, bucket);
  }

  /** The adapter the core uses: the log plus notifications. */
  @Bean
  @Primary
  StorageAdapter storageAdapter(
      DynamoDbStorageAdapter storage,
      NotificationRelay relay,
      ObjectProvider<Tracer> tracer,
      ObjectProvider<Propagator> propagator) {
    Tracer t = tracer.getIfAvailable();
    Propagator p = propagator.getIfAvailable();
    if (t == null || p == null) {
      return new PublishingStorageAdapter(storage, relay);
    }
    return new PublishingStorageAdapter(storage, relay, () -> traceContext(t, p));
  }

  /** The current span's W3C headers ({@code traceparent}, {@code tracestate}), or none. */
  private static Map<String, String> traceContext(Tracer tracer, Propagator propagator) {
    Span span = tracer.currentSpan();
    if (span == null) {
      return Map.of();
    }
    var headers = new LinkedHashMap<String, String>();
    propagator.inject(span.context(), headers, Map::put);
    return headers;
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
