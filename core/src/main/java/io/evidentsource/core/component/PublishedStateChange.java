package io.evidentsource.core.component;

import java.time.Instant;
import java.util.Objects;

/**
 * A version of a state change as the registry holds it.
 *
 * @param id database, name and version
 * @param definition the metadata published with it
 * @param createdAt when it was published (UTC)
 * @param moduleSize the size of the WebAssembly module in bytes
 */
public record PublishedStateChange(
    ComponentId id, StateChangeDefinition definition, Instant createdAt, int moduleSize) {
  public PublishedStateChange {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
