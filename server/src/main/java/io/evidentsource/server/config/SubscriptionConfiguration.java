package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.server.live.LiveTails;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Live subscriptions: the engine and the dispatcher threads that the SSE live tail and gRPC {@code
 * SubscribeEvents} share, woken by the profile's {@link Storage#notifications()} (pushed on commit
 * or polled, as {@link Storage#capabilities()} says), with the limits of {@link
 * SubscriptionProperties}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SubscriptionProperties.class)
class SubscriptionConfiguration {

  /** The open live tails and the few threads that serve all of them. */
  @Bean(destroyMethod = "shutdownNow")
  LiveTails liveTails(SubscriptionProperties properties) {
    return new LiveTails(properties.dispatchThreads());
  }

  @Bean
  SubscriptionEngine subscriptionEngine(
      EventStore store, Storage storage, LiveTails liveTails, SubscriptionProperties properties) {
    return new SubscriptionEngine(store, storage.notifications(), liveTails, properties.options());
  }
}
