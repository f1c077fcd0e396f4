package io.evidentsource.server;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.json.EvidentSourceJsonModule;
import java.time.Clock;
import java.util.UUID;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The core services over whichever {@link StorageAdapter} the active profile provides, with the
 * limits of {@link EvidentSourceProperties}, the UTC system clock and random transaction ids.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EvidentSourceProperties.class)
class EventStoreConfiguration {

  @Bean
  EventStore eventStore(StorageAdapter storage, EvidentSourceProperties properties) {
    return new EventStore(
        storage,
        properties.eventLimits(),
        Clock.systemUTC(),
        UUID::randomUUID,
        properties.contentionTimeout());
  }

  /** Writes events, selectors and conditions in their wire shapes inside JSON responses. */
  @Bean
  EvidentSourceJsonModule evidentSourceJsonModule() {
    return new EvidentSourceJsonModule();
  }
}
