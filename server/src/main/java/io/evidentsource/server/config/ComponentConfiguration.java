package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.ComponentRuntime;
import io.evidentsource.core.component.InMemoryComponentRegistry;
import io.evidentsource.core.component.ObservedComponentRuntime;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.wasm.ChicoryComponentRuntime;
import java.time.Clock;
import java.util.UUID;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.annotation.Profile;

/**
 * State views and state changes: the component catalog (publish, list, versions, describe, module
 * download for both kinds), view reads and command execution over the Chicory runtime with the
 * limits of {@link WasmProperties}, and the profile's component registry: in the heap on {@code
 * memory} (lost on restart, like the in-memory storage), in DynamoDB and S3 on the DynamoDB
 * profiles ({@link DynamoDbStorageConfiguration}, ADR 0007).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WasmProperties.class)
class ComponentConfiguration {

  /** Every profile but the DynamoDB ones ({@code memory}): components in this process's heap. */
  @Configuration(proxyBeanMethods = false)
  @Profile("!dynamodb-sns & !dynamodb-kafka")
  static class Memory {
    @Bean
    ComponentRegistry componentRegistry() {
      return new InMemoryComponentRegistry();
    }
  }

  @Bean(destroyMethod = "close")
  ChicoryComponentRuntime chicoryRuntime(WasmProperties properties) {
    return new ChicoryComponentRuntime(properties.limits());
  }

  /** The runtime every service calls: Chicory, with each call reported to the store's observer. */
  @Bean
  @Primary
  ComponentRuntime componentRuntime(ChicoryComponentRuntime chicory, EventStore store) {
    return new ObservedComponentRuntime(chicory, store.observer());
  }

  @Bean
  ComponentCatalog componentCatalog(
      EventStore store, ComponentRegistry registry, ComponentRuntime runtime, Clock clock) {
    return new ComponentCatalog(store, registry, runtime, clock);
  }

  @Bean
  StateViews stateViews(
      EventStore store,
      ComponentCatalog catalog,
      ComponentRuntime runtime,
      WasmProperties properties) {
    return new StateViews(
        store, catalog, runtime, properties.cacheEntries(), properties.foldCacheBytes().toBytes());
  }

  @Bean
  StateChanges stateChanges(
      EventStore store,
      ComponentCatalog catalog,
      ComponentRuntime runtime,
      StateViews views,
      Clock clock) {
    return new StateChanges(store, catalog, runtime, views, clock, UUID::randomUUID);
  }
}
