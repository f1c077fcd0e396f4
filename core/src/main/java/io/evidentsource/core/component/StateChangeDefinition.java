package io.evidentsource.core.component;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The metadata of a state change as published (docs/data-model.md#state-views-and-state-changes).
 *
 * <p>The constructor throws {@link io.evidentsource.core.error.EvidentSourceException} {@code
 * INVALID_COMPONENT} naming the field.
 *
 * @param name {@code state_change_name}: 1-128 chars of a-z, 0-9, '-', '_', starting with a letter
 * @param description free text, or null
 */
public record StateChangeDefinition(String name, @Nullable String description)
    implements ComponentDefinition {
  public StateChangeDefinition {
    ComponentNames.check("state_change_name", Objects.requireNonNull(name, "name"));
  }
}
