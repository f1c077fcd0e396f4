package io.evidentsource.server.config;

import io.evidentsource.core.port.Storage;
import io.evidentsource.server.observe.DatabaseGauges;
import io.evidentsource.server.observe.TraceHeaders;
import io.evidentsource.storage.dynamodb.DynamoDbClients;
import io.evidentsource.storage.dynamodb.DynamoDbSetupException;
import io.evidentsource.storage.dynamodb.DynamoDbStorage;
import io.evidentsource.storage.dynamodb.DynamoDbTables;
import io.evidentsource.storage.dynamodb.NotificationRelay;
import io.evidentsource.storage.dynamodb.kafka.DynamoDbKafkaStorage;
import io.evidentsource.storage.dynamodb.sns.DynamoDbSnsStorage;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.instrumentation.awssdk.v2_2.AwsSdkTelemetry;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.Producer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Profiles {@code dynamodb-sns} and {@code dynamodb-kafka}: the storage modules {@code
 * storage-dynamodb-sns} and {@code storage-dynamodb-kafka}, each assembling the shared DynamoDB log
 * (tables created or checked at start), the components table and S3 bucket (ADR 0007), and the
 * relay that announces every committed transaction on the profile's topic. Any number of instances
 * may run on the same tables and bucket. Errors about the tables or the bucket name the property to
 * change.
 */
@Configuration(proxyBeanMethods = false)
@Profile({"dynamodb-sns", "dynamodb-kafka"})
@EnableConfigurationProperties(DynamoDbProperties.class)
class DynamoDbStorageConfiguration {

  /**
   * The DynamoDB part both profiles share, from {@code evidentsource.dynamodb.*}, with the relay's
   * metrics and the trace context of each commit (docs/operations.md).
   */
  static DynamoDbStorage.Builder dynamoDb(
      DynamoDbProperties properties, Clock clock, Observability observability) {
    DynamoDbTables tables;
    try {
      tables = new DynamoDbTables(properties.tablePrefix());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.table-prefix: " + e.getMessage(), e);
    }
    return DynamoDbStorage.builder()
        .traceContext(observability.traceContext())
        .traceScope(observability.traceScope())
        .onRelayStarted(
            relay -> {
              observability.gauges().followNotifications(relay::pending, relay::errors);
              observability
                  .health()
                  .follow(
                      db -> relay.failure(db).map(DynamoDbStorageConfiguration::failure),
                      () -> relay.failures().size());
            })
        .clientSettings(
            new DynamoDbClients.Settings(
                properties.region(),
                properties.endpoint(),
                properties.maxAttempts(),
                observability.awsInterceptors()))
        .tables(tables)
        .componentsBucket(properties.requiredComponentsBucket())
        .createMissing(properties.createTables())
        .cachedEvents(properties.cachedEvents())
        .groupCommitTransactions(properties.groupCommitTransactions())
        .largeDataBytes((int) properties.largeDataBytes().toBytes())
        .publishLease(properties.publishLease())
        .publishSweep(properties.publishSweep())
        .publishThreads(properties.publishThreads())
        .purgeRate(properties.purgeRate())
        .purgeInterval(properties.purgeInterval())
        .clock(clock);
  }

  private static NotificationHealth.Failure failure(NotificationRelay.Failure failure) {
    return new NotificationHealth.Failure(
        failure.attempts(), Instant.ofEpochMilli(failure.retryAt()), failure.error());
  }

  /** Builds the storage, restating a setup error with the properties that fix it. */
  static Storage withPropertyNames(Supplier<Storage> storage) {
    try {
      return storage.get();
    } catch (DynamoDbSetupException e) {
      String details = String.join("; ", e.details());
      String message =
          switch (e.problem()) {
            case TABLES -> "DynamoDB tables not as expected: " + details;
            case BUCKET_NAME ->
                "evidentsource.dynamodb.components-bucket must name an S3 bucket: " + details;
            case BUCKET_MISSING, BUCKET_NOT_ACCESSIBLE ->
                details + " (evidentsource.dynamodb.components-bucket)";
          };
      if (e.fixedByCreating()) {
        String them = e.problem() == DynamoDbSetupException.Problem.TABLES ? "them" : "it";
        message += " (create " + them + ", or set evidentsource.dynamodb.create-tables=true)";
      }
      throw new IllegalStateException(message, e);
    }
  }

  /** Profile {@code dynamodb-sns}: transactions go to an SNS topic. */
  @Configuration(proxyBeanMethods = false)
  @Profile("dynamodb-sns")
  @EnableConfigurationProperties(SnsProperties.class)
  static class Sns {
    @Bean
    Storage storage(
        DynamoDbProperties dynamoDb,
        SnsProperties sns,
        Clock clock,
        DatabaseGauges gauges,
        NotificationHealth health,
        ObjectProvider<Tracer> tracer,
        ObjectProvider<Propagator> propagator,
        ObjectProvider<OpenTelemetry> openTelemetry) {
      var observability = Observability.of(gauges, health, tracer, propagator, openTelemetry);
      return withPropertyNames(
          () ->
              DynamoDbSnsStorage.create(
                  dynamoDb(dynamoDb, clock, observability),
                  Objects.requireNonNull(sns.topicArn())));
    }
  }

  /** Profile {@code dynamodb-kafka}: events go to a Kafka topic. */
  @Configuration(proxyBeanMethods = false)
  @Profile("dynamodb-kafka")
  @EnableConfigurationProperties(KafkaProperties.class)
  static class Kafka {
    @Bean
    Storage storage(
        DynamoDbProperties dynamoDb,
        KafkaProperties kafka,
        Clock clock,
        DatabaseGauges gauges,
        NotificationHealth health,
        ObjectProvider<Tracer> tracer,
        ObjectProvider<Propagator> propagator,
        ObjectProvider<OpenTelemetry> openTelemetry) {
      var observability = Observability.of(gauges, health, tracer, propagator, openTelemetry);
      return withPropertyNames(
          () ->
              DynamoDbKafkaStorage.create(
                  dynamoDb(dynamoDb, clock, observability),
                  new DynamoDbKafkaStorage.Settings(
                      Objects.requireNonNull(kafka.bootstrapServers()),
                      kafka.topic(),
                      kafka.retries(),
                      kafka.publishTimeout()),
                  observability.kafkaProducer()));
    }
  }

  /**
   * What the storage reports to: the per-database gauges; the relay's failures per database (shown
   * by {@code GET /api/v1/databases/{db}}); the current request's W3C trace headers, read on the
   * committing thread (none without a tracer); and OpenTelemetry's AWS SDK and Kafka client
   * instrumentation, which make a span per DynamoDB, S3 and SNS request and per Kafka record sent,
   * children of the current span (docs/operations.md#traces). The relay publishes each transaction
   * inside its committing request's trace context, so the SNS or Kafka span continues that trace.
   */
  record Observability(
      DatabaseGauges gauges,
      NotificationHealth health,
      Supplier<Map<String, String>> traceContext,
      NotificationRelay.TraceScope traceScope,
      List<ExecutionInterceptor> awsInterceptors,
      UnaryOperator<Producer<String, byte[]>> kafkaProducer) {
    static Observability of(
        DatabaseGauges gauges,
        NotificationHealth health,
        ObjectProvider<Tracer> tracers,
        ObjectProvider<Propagator> propagators,
        ObjectProvider<OpenTelemetry> openTelemetries) {
      Tracer tracer = tracers.getIfAvailable();
      Propagator propagator = propagators.getIfAvailable();
      OpenTelemetry openTelemetry = openTelemetries.getIfAvailable();
      if (tracer == null || propagator == null || openTelemetry == null) {
        return new Observability(
            gauges,
            health,
            Map::of,
            NotificationRelay.TraceScope.NONE,
            List.of(),
            UnaryOperator.identity());
      }
      Supplier<Map<String, String>> traceContext = TraceHeaders.of(tracer, propagator);
      KafkaTelemetry kafka = KafkaTelemetry.create(openTelemetry);
      return new Observability(
          gauges,
          health,
          traceContext,
          DynamoDbStorageConfiguration::currentTrace,
          List.of(AwsSdkTelemetry.create(openTelemetry).newExecutionInterceptor()),
          kafka::wrap);
    }
  }

  /**
   * Makes the trace of these W3C headers current on this thread until the returned scope closes
   * (nothing without headers).
   */
  @SuppressWarnings("MustBeClosedChecker") // the relay closes it on this thread (TraceScope)
  private static NotificationRelay.TraceScope.Opened currentTrace(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return () -> {};
    }
    Context context =
        W3CTraceContextPropagator.getInstance()
            .extract(Context.root(), headers, MapGetter.INSTANCE);
    Scope scope = context.makeCurrent();
    return scope::close;
  }

  /** Reads W3C trace headers from a map. */
  private enum MapGetter implements TextMapGetter<Map<String, String>> {
    INSTANCE;

    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  }
}
