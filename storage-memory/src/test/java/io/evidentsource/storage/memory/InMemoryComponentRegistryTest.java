package io.evidentsource.storage.memory;

import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.InMemoryComponentRegistry;
import io.evidentsource.storage.tck.ComponentRegistryTck;

/** The component registry conformance suite against the in-memory registry. */
class InMemoryComponentRegistryTest extends ComponentRegistryTck {
  private static final ComponentRegistry REGISTRY = new InMemoryComponentRegistry();

  @Override
  protected ComponentRegistry registry() {
    return REGISTRY;
  }
}
