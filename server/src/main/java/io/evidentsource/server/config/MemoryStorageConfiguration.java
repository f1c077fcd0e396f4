package io.evidentsource.server.config;

import io.evidentsource.core.port.Storage;
import io.evidentsource.storage.memory.InMemoryStorage;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * Profile {@code memory} (tests and experiments; the default is {@code local}): every database and
 * component lives on the heap of this process and is lost when it stops.
 */
@Configuration(proxyBeanMethods = false)
@Profile("memory")
class MemoryStorageConfiguration {

  @Bean
  Storage storage() {
    return InMemoryStorage.create();
  }
}
