package io.evidentsource.core.component;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The catalog of published state views and state changes
 * (docs/data-model.md#state-views-and-state-changes, docs/rest.md), one service for both kinds:
 * publish, list, the versions of one name, describe one version, the module bytes, and the {@code
 * *_NOT_FOUND} error, keyed by {@link ComponentKind}. It binds the event store (which database and
 * generation), the {@link ComponentRegistry} (what is published) and the {@link ComponentRuntime}
 * (validation at publish, modules loaded on this server). {@link StateViews} reads views and {@link
 * StateChanges} executes commands over it. Thread-safe.
 */
public final class ComponentCatalog {
  private final EventStore store;
  private final ComponentRegistry registry;
  private final ComponentRuntime runtime;
  private final Clock clock;
  private final List<Consumer<DatabaseName>> forgetters = new CopyOnWriteArrayList<>();

  /**
   * @param store the event store whose databases components are published in
   * @param registry where published components are kept
   * @param runtime the WebAssembly host that validates and loads modules
   * @param clock the source of publication times
   */
  public ComponentCatalog(
      EventStore store, ComponentRegistry registry, ComponentRuntime runtime, Clock clock) {
    this.store = store;
    this.registry = registry;
    this.runtime = runtime;
    this.clock = clock;
  }

  /**
   * Publishes the next version of a component: validates the module against the ABI of its kind,
   * stores it, then loads it into the runtime (compiled and warmed, ADR 0008), so the answer comes
   * when the version is ready to run on this server.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}, {@code INVALID_COMPONENT}, {@code
   *     COMPONENT_TOO_LARGE}
   */
  public <D extends ComponentDefinition> PublishedComponent<D> publish(
      DatabaseName database, ComponentKind<D> kind, D definition, byte[] module) {
    var info = store.database(database);
    runtime.validate(kind, module);
    var published =
        registry.add(database, info.generation(), kind, definition, module, clock.instant());
    runtime.load(published.id(), module);
    store.observer().componentPublished(published);
    return published;
  }

  /**
   * Every version of every component of one kind in a database, by name then version.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}
   */
  public <D extends ComponentDefinition> List<PublishedComponent<D>> list(
      DatabaseName database, ComponentKind<D> kind) {
    return registry.list(database, store.database(database).generation(), kind);
  }

  /**
   * Every version of one component, ascending from 1.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}; the kind's {@code *_NOT_FOUND} when
   *     no version of that name was published
   */
  public <D extends ComponentDefinition> List<PublishedComponent<D>> versions(
      DatabaseName database, ComponentKind<D> kind, String name) {
    var versions = registry.versions(database, store.database(database).generation(), kind, name);
    if (versions.isEmpty()) {
      throw notFound(database, kind, name, null);
    }
    return versions;
  }

  /**
   * One version of a component, or the latest when {@code version} is null.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}; the kind's {@code *_NOT_FOUND}
   */
  public <D extends ComponentDefinition> PublishedComponent<D> describe(
      DatabaseName database, ComponentKind<D> kind, String name, @Nullable Integer version) {
    return describe(store.database(database), kind, name, version);
  }

  /** {@link #describe(DatabaseName, ComponentKind, String, Integer)} in a database already read. */
  <D extends ComponentDefinition> PublishedComponent<D> describe(
      DatabaseInfo info, ComponentKind<D> kind, String name, @Nullable Integer version) {
    return registry
        .find(info.name(), info.generation(), kind, name, version)
        .orElseThrow(() -> notFound(info.name(), kind, name, version));
  }

  /**
   * The module of one version exactly as it was published (its SHA-256 is the version's {@link
   * PublishedComponent#moduleSha256()}).
   *
   * @param published a version as {@link #describe} returned it
   * @throws EvidentSourceException the kind's {@code *_NOT_FOUND} when the registry lost the module
   */
  public byte[] module(PublishedComponent<?> published) {
    return module(published.id());
  }

  /**
   * Lets go of the components of the deleted generations of a database ({@link
   * ComponentRegistry#forget}; a database created again under the name keeps its own) and of their
   * compiled modules and idle instances on this server ({@link ComponentRuntime#unload}) and the
   * cached folds of its views; call it after {@link EventStore#deleteDatabase}. A database created
   * again under the name never sees the deleted generation's components either way.
   */
  public void forget(DatabaseName database) {
    registry.forget(database);
    runtime.unload(database);
    forgetters.forEach(f -> f.accept(database));
  }

  /** Has {@link #forget} also call {@code forgetter} (the fold cache of {@link StateViews}). */
  void whenForgotten(Consumer<DatabaseName> forgetter) {
    forgetters.add(forgetter);
  }

  private byte[] module(ComponentId id) {
    return registry
        .module(id)
        .orElseThrow(() -> notFound(id.database(), id.kind(), id.name(), id.version()));
  }

  /**
   * Makes sure the runtime of this server has a component loaded, fetching its module from the
   * registry when it was published elsewhere (another instance, before a restart).
   */
  void ensureLoaded(ComponentId id) {
    if (!runtime.isLoaded(id)) {
      runtime.load(id, module(id));
    }
  }

  /** The error of a name or version that is not published: the kind's {@code *_NOT_FOUND}. */
  static ComponentNotFoundException notFound(
      DatabaseName database, ComponentKind<?> kind, String name, @Nullable Integer version) {
    return new ComponentNotFoundException(kind, database.value(), name, version);
  }
}
