package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.model.RandomUuids;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.Storage;
import io.evidentsource.json.EvidentSourceJsonModule;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The core services over the log of whichever {@link Storage} the active profile provides (one
 * {@code @Bean Storage} per storage profile, e.g. {@link MemoryStorageConfiguration}), with the
 * limits of {@link EvidentSourceProperties}, the {@link Clock} bean and random transaction ids.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EvidentSourceProperties.class)
class EventStoreConfiguration {

  /** The source of creation and commit times (UTC). */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** The event store, reporting its work to the observer (docs/operations.md) when there is one. */
  @Bean
  EventStore eventStore(
      Storage storage,
      EvidentSourceProperties properties,
      Clock clock,
      ObjectProvider<EventStoreObserver> observer) {
    return new EventStore(
        storage.log(),
        properties.eventLimits(),
        clock,
        RandomUuids::next,
        properties.contentionTimeout(),
        observer.getIfAvailable(() -> EventStoreObserver.NONE));
  }

  /** Writes events, selectors and conditions in their wire shapes inside JSON responses. */
  @Bean
  EvidentSourceJsonModule evidentSourceJsonModule() {
    return new EvidentSourceJsonModule();
  }
}
