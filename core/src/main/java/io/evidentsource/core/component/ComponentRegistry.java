package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where published components live: metadata, versions and module bytes per database. {@link
 * InMemoryComponentRegistry} is the only implementation today; a durable one (e.g. a DynamoDB table
 * keyed by database and name, sorted by version) implements the same port. Implementations are
 * thread-safe and number versions of one name densely from 1.
 */
public interface ComponentRegistry {

  /**
   * Stores the next version of a state view and returns it, with the module's size in bytes and
   * SHA-256 ({@link ModuleDigest}).
   */
  PublishedStateView addStateView(
      DatabaseName database, StateViewDefinition definition, byte[] module, Instant createdAt);

  /**
   * Stores the next version of a state change and returns it, with the module's size in bytes and
   * SHA-256 ({@link ModuleDigest}).
   */
  PublishedStateChange addStateChange(
      DatabaseName database, StateChangeDefinition definition, byte[] module, Instant createdAt);

  /** One version of a state view, or the latest when {@code version} is null. */
  Optional<PublishedStateView> stateView(
      DatabaseName database, String name, @Nullable Integer version);

  /** One version of a state change, or the latest when {@code version} is null. */
  Optional<PublishedStateChange> stateChange(
      DatabaseName database, String name, @Nullable Integer version);

  /**
   * Every version of one state view, ascending from 1; empty when the database has no view of that
   * name.
   */
  List<PublishedStateView> stateViewVersions(DatabaseName database, String name);

  /**
   * Every version of one state change, ascending from 1; empty when the database has no state
   * change of that name.
   */
  List<PublishedStateChange> stateChangeVersions(DatabaseName database, String name);

  /** Every version of every state view of the database, by name then version. */
  List<PublishedStateView> stateViews(DatabaseName database);

  /** Every version of every state change of the database, by name then version. */
  List<PublishedStateChange> stateChanges(DatabaseName database);

  /** The module bytes of a published component exactly as published, or empty when unknown. */
  Optional<byte[]> module(ComponentId id);

  /** Forgets every component of a database (called when the database is deleted). */
  void forget(DatabaseName database);
}
