package io.evidentsource.server;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/**
 * The gRPC service (Spring gRPC serves every {@link BindableService} bean on {@code
 * spring.grpc.server.port}, 9090 by default, with health and reflection) and the live
 * subscription engine it shares with the SSE endpoint.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SubscriptionProperties.class)
class GrpcConfiguration {
  /** Slack per event for protobuf framing and attribute names beyond the counted event size. */
  static final int FRAMING_PER_EVENT = 8 * 1024;

  /** Slack per message for conditions and the other request fields. */
  static final int FRAMING_PER_MESSAGE = 64 * 1024;

  /** Subscription readers and senders: one thread each per open subscription. */
  @Bean(destroyMethod = "shutdownNow")
  SubscriptionThreads subscriptionThreads() {
    return new SubscriptionThreads();
  }

  @Bean
  SubscriptionEngine subscriptionEngine(
      EventStore store,
      StorageAdapter storage,
      SubscriptionThreads subscriptionThreads,
      SubscriptionProperties properties) {
    ChangeNotifications notifications =
        storage instanceof ChangeNotifications
            ? (ChangeNotifications) storage
            : ChangeNotifications.polling(storage, Duration.ofMillis(100));
    return new SubscriptionEngine(
        store, notifications, subscriptionThreads, properties.options());
  }

  @Bean
  BindableService evidentSourceGrpcService(
      EventStore store, SubscriptionEngine subscriptionEngine, SubscriptionThreads subscriptionThreads) {
    return new EvidentSourceGrpcService(store, subscriptionEngine, subscriptionThreads);
  }

  /**
   * Largest inbound message: a full batch of events at the size limit plus framing, so the core
   * reports {@code event_too_large} / {@code batch_too_large} for anything up to that and gRPC
   * answers {@code RESOURCE_EXHAUSTED} beyond it.
   */
  static int maxInboundMessageBytes(EvidentSourceProperties properties) {
    long bytes =
        (long) properties.maxBatchEvents() * (properties.maxEventBytes() + FRAMING_PER_EVENT)
            + FRAMING_PER_MESSAGE;
    return (int) Math.min(bytes, Integer.MAX_VALUE);
  }

  @Bean
  <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> messageSizeLimit(
      EvidentSourceProperties properties) {
    int limit = maxInboundMessageBytes(properties);
    return builder -> builder.maxInboundMessageSize(limit);
  }
}
