package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.json.EvidentSourceJsonModule;
import java.time.Clock;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The core services over whichever {@link StorageAdapter} the active profile provides, with the
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
      StorageAdapter storage,
      EvidentSourceProperties properties,
      Clock clock,
      ObjectProvider<EventStoreObserver> observer) {
    return new EventStore(
        storage,
        properties.eventLimits(),
        clock,
        UUID::randomUUID,
        properties.contentionTimeout(),
        observer.getIfAvailable(() -> EventStoreObserver.NONE));
  }

  /** Writes events, selectors and conditions in their wire shapes inside JSON responses. */
  @Bean
  EvidentSourceJsonModule evidentSourceJsonModule() {
    return new EvidentSourceJsonModule();
  }
}
