package io.evidentsource.server;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.ComponentRuntime;
import io.evidentsource.core.component.InMemoryComponentRegistry;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.wasm.ChicoryComponentRuntime;
import java.time.Clock;
import java.util.UUID;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * State views and state changes: the Chicory runtime with the limits of {@link WasmProperties} and
 * an in-memory component registry (published components are lost on restart, like the in-memory
 * storage; a durable registry implements the same port).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WasmProperties.class)
class ComponentConfiguration {

  @Bean
  ComponentRegistry componentRegistry() {
    return new InMemoryComponentRegistry();
  }

  @Bean(destroyMethod = "close")
  ChicoryComponentRuntime componentRuntime(WasmProperties properties) {
    return new ChicoryComponentRuntime(properties.limits());
  }

  @Bean
  StateViews stateViews(
      EventStore store,
      ComponentRegistry registry,
      ComponentRuntime runtime,
      Clock clock,
      WasmProperties properties) {
    return new StateViews(
        store,
        registry,
        runtime,
        clock,
        properties.cacheEntries(),
        properties.foldCacheBytes().toBytes());
  }

  @Bean
  StateChanges stateChanges(
      EventStore store,
      ComponentRegistry registry,
      ComponentRuntime runtime,
      StateViews views,
      Clock clock) {
    return new StateChanges(store, registry, runtime, views, clock, UUID::randomUUID);
  }
}
