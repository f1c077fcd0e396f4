package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.server.live.SubscriptionThreads;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Live subscriptions: the engine and the threads that the SSE live tail and gRPC {@code
 * SubscribeEvents} share, with the limits of {@link SubscriptionProperties}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SubscriptionProperties.class)
class SubscriptionConfiguration {

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
    return new SubscriptionEngine(store, notifications, subscriptionThreads, properties.options());
  }
}
