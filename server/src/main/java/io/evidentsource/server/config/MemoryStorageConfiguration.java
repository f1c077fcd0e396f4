package io.evidentsource.server.config;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.memory.InMemoryStorageAdapter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * Profile {@code memory} (tests and experiments; the default is {@code local}): every database
 * lives on the heap of this process and is lost when it stops.
 */
@Configuration(proxyBeanMethods = false)
@Profile("memory")
class MemoryStorageConfiguration {

  @Bean
  StorageAdapter storageAdapter() {
    return new InMemoryStorageAdapter();
  }
}
