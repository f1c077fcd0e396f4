package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.ComponentRuntime;
import io.evidentsource.core.component.ObservedComponentRuntime;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.model.RandomUuids;
import io.evidentsource.core.port.Storage;
import io.evidentsource.wasm.ChicoryComponentRuntime;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * State views and state changes: the component catalog (publish, list, versions, describe, module
 * download for both kinds), view reads and command execution over the Chicory runtime with the
 * limits of {@link WasmProperties}, over the component registry of the profile's {@link Storage}:
 * in the data directory on {@code local} (the default), in the heap on {@code memory} (lost on
 * restart, like the in-memory storage), in DynamoDB and S3 on the DynamoDB profiles (ADR 0007).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WasmProperties.class)
class ComponentConfiguration {

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
      EventStore store, Storage storage, ComponentRuntime runtime, Clock clock) {
    return new ComponentCatalog(store, storage.components(), runtime, clock);
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
    return new StateChanges(store, catalog, runtime, views, clock, RandomUuids::next);
  }
}
