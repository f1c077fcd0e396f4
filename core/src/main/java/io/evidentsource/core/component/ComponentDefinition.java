package io.evidentsource.core.component;

import org.jspecify.annotations.Nullable;

/**
 * The metadata a component is published with (docs/data-model.md#state-views-and-state-changes): a
 * {@link StateViewDefinition} or a {@link StateChangeDefinition}. What both kinds share is what the
 * registry and the catalog need.
 */
public sealed interface ComponentDefinition permits StateViewDefinition, StateChangeDefinition {
  /** The component name: 1-128 chars of a-z, 0-9, '-', '_', starting with a letter. */
  String name();

  /** Free text, or null. */
  @Nullable String description();
}
