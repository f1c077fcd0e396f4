package io.evidentsource.core.component;

import java.time.Instant;
import java.util.Objects;

/**
 * A version of a state view as the registry holds it.
 *
 * @param id database, name and version
 * @param definition the metadata published with it
 * @param createdAt when it was published (UTC)
 * @param moduleSize the size of the WebAssembly module in bytes
 * @param moduleSha256 the SHA-256 of the module bytes, 64 lower-case hex digits ({@link
 *     ModuleDigest#sha256Hex})
 */
public record PublishedStateView(
    ComponentId id,
    StateViewDefinition definition,
    Instant createdAt,
    int moduleSize,
    String moduleSha256) {
  public PublishedStateView {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(createdAt, "createdAt");
    if (moduleSize < 0) {
      throw new IllegalArgumentException("moduleSize must be >= 0, was " + moduleSize);
    }
    ModuleDigest.requireSha256Hex(Objects.requireNonNull(moduleSha256, "moduleSha256"));
  }
}
