package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where published components live: metadata, versions and module bytes per generation of a
 * database. {@link InMemoryComponentRegistry} keeps them in the heap; the DynamoDB adapter keeps
 * them in a table and S3 so that every server instance sees every publication (ADR 0007).
 *
 * <p>Components belong to one generation of a database ({@link
 * io.evidentsource.core.model.DatabaseInfo#generation()}): a database deleted and created again has
 * none (docs/data-model.md#state-views-and-state-changes). Implementations are thread-safe and
 * number the versions of one name in one generation densely from 1, also when several instances
 * publish concurrently.
 */
public interface ComponentRegistry {

  /**
   * Stores the next version of a state view in {@code generation} of the database and returns it,
   * with the module's size in bytes and SHA-256 ({@link ModuleDigest}).
   */
  PublishedStateView addStateView(
      DatabaseName database,
      long generation,
      StateViewDefinition definition,
      byte[] module,
      Instant createdAt);

  /**
   * Stores the next version of a state change in {@code generation} of the database and returns it,
   * with the module's size in bytes and SHA-256 ({@link ModuleDigest}).
   */
  PublishedStateChange addStateChange(
      DatabaseName database,
      long generation,
      StateChangeDefinition definition,
      byte[] module,
      Instant createdAt);

  /** One version of a state view, or the latest when {@code version} is null. */
  Optional<PublishedStateView> stateView(
      DatabaseName database, long generation, String name, @Nullable Integer version);

  /** One version of a state change, or the latest when {@code version} is null. */
  Optional<PublishedStateChange> stateChange(
      DatabaseName database, long generation, String name, @Nullable Integer version);

  /**
   * Every version of one state view of the generation, ascending from 1; empty when it has no view
   * of that name.
   */
  List<PublishedStateView> stateViewVersions(DatabaseName database, long generation, String name);

  /**
   * Every version of one state change of the generation, ascending from 1; empty when it has no
   * state change of that name.
   */
  List<PublishedStateChange> stateChangeVersions(
      DatabaseName database, long generation, String name);

  /** Every version of every state view of the generation, by name then version. */
  List<PublishedStateView> stateViews(DatabaseName database, long generation);

  /** Every version of every state change of the generation, by name then version. */
  List<PublishedStateChange> stateChanges(DatabaseName database, long generation);

  /** The module bytes of a published component exactly as published, or empty when unknown. */
  Optional<byte[]> module(ComponentId id);

  /**
   * Lets go of every component of every generation of a database (called when the database is
   * deleted). Lookups never find the components of an earlier generation anyway; this frees what
   * the registry holds for them, where it can.
   */
  void forget(DatabaseName database);
}
