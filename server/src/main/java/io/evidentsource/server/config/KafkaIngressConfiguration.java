package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.ingress.kafka.KafkaIngress;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The Kafka ingress ({@link KafkaIngressProperties}, docs/kafka-ingress.md), when {@code
 * evidentsource.kafka.ingress.enabled=true}: started with the application, appending through the
 * same {@link EventStore} as REST and gRPC, stopped (without committing what it did not commit)
 * when the application stops. Its counts are the metric {@code evidentsource.kafka.ingress.records}
 * with tag {@code outcome} ({@code appended}, {@code duplicate}, {@code dead_lettered}, {@code
 * retried}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("evidentsource.kafka.ingress.enabled")
@EnableConfigurationProperties(KafkaIngressProperties.class)
class KafkaIngressConfiguration {
  static final String PREFIX = "evidentsource.kafka.ingress.";

  @Bean(destroyMethod = "close")
  KafkaIngress kafkaIngress(
      KafkaIngressProperties properties,
      EventStore store,
      Environment environment,
      ObjectProvider<MeterRegistry> registry) {
    var ingress = KafkaIngress.start(settings(properties, environment), store);
    registry.ifAvailable(r -> bindMetrics(ingress, r));
    return ingress;
  }

  static KafkaIngress.Settings settings(KafkaIngressProperties p, Environment environment) {
    String brokers = p.bootstrapServers();
    if (brokers == null || brokers.isBlank()) {
      brokers = environment.getProperty("evidentsource.kafka.bootstrap-servers");
    }
    if (brokers == null || brokers.isBlank()) {
      throw new IllegalArgumentException(
          PREFIX
              + "bootstrap-servers (or evidentsource.kafka.bootstrap-servers) must be set when"
              + " the Kafka ingress is enabled");
    }
    String database = p.database();
    if (database == null || database.isBlank()) {
      throw new IllegalArgumentException(
          PREFIX + "database must name the database the ingress appends to");
    }
    String commits = environment.getProperty("evidentsource.kafka.topic");
    if (commits != null && p.topics().contains(commits)) {
      throw new IllegalArgumentException(
          PREFIX
              + "topics must not contain '"
              + commits
              + "', the topic evidentsource.kafka.topic publishes commits to: every event read"
              + " would be appended again and published again");
    }
    try {
      return new KafkaIngress.Settings(
          brokers,
          p.topics(),
          DatabaseName.of(database),
          p.groupId(),
          p.deadLetterTopic(),
          p.principal(),
          p.pollTimeout(),
          p.maxPollRecords(),
          p.retryBackoff(),
          p.properties());
    } catch (IllegalArgumentException | EvidentSourceException e) {
      throw new IllegalArgumentException("evidentsource.kafka.ingress: " + e.getMessage(), e);
    }
  }

  private static void bindMetrics(KafkaIngress ingress, MeterRegistry registry) {
    counter(registry, ingress, "appended", i -> i.counts().appended());
    counter(registry, ingress, "duplicate", i -> i.counts().duplicates());
    counter(registry, ingress, "dead_lettered", i -> i.counts().deadLettered());
    counter(registry, ingress, "retried", i -> i.counts().retries());
  }

  private static void counter(
      MeterRegistry registry,
      KafkaIngress ingress,
      String outcome,
      ToDoubleFunction<KafkaIngress> count) {
    FunctionCounter.builder("evidentsource.kafka.ingress.records", ingress, count)
        .description("Kafka records the ingress handled, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }
}
