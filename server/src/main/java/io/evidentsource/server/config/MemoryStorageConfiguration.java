package io.evidentsource.server.config;

import io.evidentsource.core.port.Storage;
import io.evidentsource.storage.memory.InMemoryStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * Profile {@code memory} (tests and experiments; the default is {@code local}): every database and
 * component lives on the heap of this process and is lost when it stops. Stored events are bounded
 * by the budget of {@link MemoryProperties}.
 */
@Configuration(proxyBeanMethods = false)
@Profile("memory")
@EnableConfigurationProperties({MemoryProperties.class, IndexProperties.class})
class MemoryStorageConfiguration {
  private static final Logger log = LoggerFactory.getLogger(MemoryStorageConfiguration.class);

  @Bean
  Storage storage(MemoryProperties properties, IndexProperties index) {
    long budget = properties.budgetBytes();
    log.info(
        "in-memory storage: events may take {} bytes of heap (evidentsource.memory.max-bytes);"
            + " everything is lost when the server stops",
        budget);
    // with evidentsource.index.segments.enabled, segments are sealed into a store on the heap
    return InMemoryStorage.create(budget, index.segments().enabled());
  }
}
