package io.evidentsource.core.component;

import io.evidentsource.core.selector.EventSelector;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The metadata of a state view as published (docs/data-model.md#state-views-and-state-changes).
 *
 * <p>The constructor throws {@link io.evidentsource.core.error.EvidentSourceException} {@code
 * INVALID_COMPONENT} naming the field.
 *
 * @param name {@code state_view_name}: 1-128 chars of a-z, 0-9, '-', '_', starting with a letter
 * @param description free text, or null
 * @param contentType the media type of the state the view produces, e.g. {@code application/json}
 * @param contentSchema a schema URI or document for the content, or null
 * @param selector {@code event_selector}; values may hold {@code {param}} placeholders that a read
 *     fills from its parameters
 * @param temporality the folding order
 */
public record StateViewDefinition(
    String name,
    @Nullable String description,
    String contentType,
    @Nullable String contentSchema,
    EventSelector selector,
    QueryTemporality temporality)
    implements ComponentDefinition {
  public StateViewDefinition {
    ComponentNames.check("state_view_name", Objects.requireNonNull(name, "name"));
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(temporality, "temporality");
  }
}
