package io.evidentsource.core.component;

import java.time.Instant;
import java.util.Objects;

/**
 * One published version of a state view or state change, as the registry holds it.
 *
 * <p>The constructor throws {@link IllegalArgumentException} when the definition does not match the
 * id's kind or name, the size is negative or the digest is not 64 lower-case hex digits.
 *
 * @param id database, generation, kind, name and version
 * @param definition the metadata published with it; its name is the id's name
 * @param createdAt when it was published (UTC)
 * @param moduleSize the size of the WebAssembly module in bytes
 * @param moduleSha256 the SHA-256 of the module bytes, 64 lower-case hex digits ({@link
 *     ModuleDigest#sha256Hex})
 * @param <D> the definition type of the kind
 */
public record PublishedComponent<D extends ComponentDefinition>(
    ComponentId id, D definition, Instant createdAt, int moduleSize, String moduleSha256) {
  public PublishedComponent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(createdAt, "createdAt");
    if (!id.kind().definitionType().isInstance(definition)) {
      throw new IllegalArgumentException(
          "a " + id.kind().label() + " needs a " + id.kind().definitionType().getSimpleName());
    }
    if (!id.name().equals(definition.name())) {
      throw new IllegalArgumentException(
          "the definition's name '" + definition.name() + "' is not the id's '" + id.name() + "'");
    }
    if (moduleSize < 0) {
      throw new IllegalArgumentException("moduleSize must be >= 0, was " + moduleSize);
    }
    ModuleDigest.requireSha256Hex(Objects.requireNonNull(moduleSha256, "moduleSha256"));
  }

  /** The component's kind (the id's). */
  public ComponentKind<?> kind() {
    return id.kind();
  }

  /** The version, from 1 (the id's). */
  public int version() {
    return id.version();
  }
}
