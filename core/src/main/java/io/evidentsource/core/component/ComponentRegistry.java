package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where published components live: metadata, versions and module bytes per generation of a
 * database, keyed by {@link ComponentKind} (state views and state changes go through the same
 * methods). The in-memory adapter keeps them in the heap; the DynamoDB adapter keeps them in a
 * table and S3 so that every server instance sees every publication (ADR 0007). {@code
 * ComponentRegistryTck} in {@code storage-tck} is the contract every implementation passes.
 *
 * <p>Components belong to one generation of a database ({@link
 * io.evidentsource.core.model.DatabaseInfo#generation()}): a database deleted and created again has
 * none (docs/data-model.md#state-views-and-state-changes). Implementations are thread-safe and
 * number the versions of one name of one kind in one generation densely from 1, also when several
 * instances publish concurrently; a state view and a state change may share a name and are numbered
 * apart.
 */
public interface ComponentRegistry {

  /**
   * Stores the next version of a component in {@code generation} of the database and returns it,
   * with the module's size in bytes and SHA-256 ({@link ModuleDigest}).
   *
   * @param kind the kind to publish; {@code definition} is of its type
   * @param module the WebAssembly module bytes; the registry keeps a copy
   */
  <D extends ComponentDefinition> PublishedComponent<D> add(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      D definition,
      byte[] module,
      Instant createdAt);

  /**
   * One version of a component, or the latest when {@code version} is null; empty when the name or
   * that version is not published (versions below 1 included).
   */
  <D extends ComponentDefinition> Optional<PublishedComponent<D>> find(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      String name,
      @Nullable Integer version);

  /**
   * Every version of one component of the generation, ascending from 1; empty when nothing of that
   * kind and name is published.
   */
  <D extends ComponentDefinition> List<PublishedComponent<D>> versions(
      DatabaseName database, long generation, ComponentKind<D> kind, String name);

  /** Every version of every component of one kind in the generation, by name then version. */
  <D extends ComponentDefinition> List<PublishedComponent<D>> list(
      DatabaseName database, long generation, ComponentKind<D> kind);

  /** The module bytes of a published component exactly as published, or empty when unknown. */
  Optional<byte[]> module(ComponentId id);

  /**
   * Lets go of the components of the deleted generations of a database (called when the database is
   * deleted). Lookups never find the components of an earlier generation anyway; this frees what
   * the registry holds for them, where it can. The components of a database created again under the
   * name, even one created between the delete and this call, stay.
   */
  void forget(DatabaseName database);
}
