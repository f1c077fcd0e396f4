package io.evidentsource.storage.memory;

import io.evidentsource.core.component.ComponentDefinition;
import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.model.DatabaseName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ComponentRegistry} in the heap: lost on restart, like the in-memory storage, and seen by
 * this process only.
 */
public final class InMemoryComponentRegistry implements ComponentRegistry {
  private final Map<Generation, Catalog> catalogs = new ConcurrentHashMap<>();
  private final ToLongFunction<DatabaseName> firstKeptGeneration;

  /**
   * A registry on its own: {@link #forget} lets go of every generation of the database, since it
   * cannot tell whether one was created again since.
   */
  public InMemoryComponentRegistry() {
    this(database -> Long.MAX_VALUE);
  }

  /**
   * A registry beside a catalog: {@link #forget} keeps the generations from {@code
   * firstKeptGeneration} up (the live database's, or the next one's when none is live).
   */
  InMemoryComponentRegistry(ToLongFunction<DatabaseName> firstKeptGeneration) {
    this.firstKeptGeneration = firstKeptGeneration;
  }

  private record Generation(DatabaseName database, long generation) {}

  /** One generation's components: per kind, the versions of each name in name order. */
  private static final class Catalog {
    final Map<ComponentKind<?>, SortedMap<String, List<PublishedComponent<?>>>> byKind =
        new HashMap<>();
    final Map<ComponentId, byte[]> modules = new ConcurrentHashMap<>();

    SortedMap<String, List<PublishedComponent<?>>> names(ComponentKind<?> kind) {
      return byKind.computeIfAbsent(kind, k -> new TreeMap<>());
    }
  }

  private Catalog catalog(DatabaseName database, long generation) {
    return catalogs.computeIfAbsent(new Generation(database, generation), g -> new Catalog());
  }

  @Override
  public <D extends ComponentDefinition> PublishedComponent<D> add(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      D definition,
      byte[] module,
      Instant createdAt) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      var versions = catalog.names(kind).computeIfAbsent(definition.name(), n -> new ArrayList<>());
      var id = new ComponentId(database, generation, kind, definition.name(), versions.size() + 1);
      var copy = module.clone();
      var published =
          new PublishedComponent<>(
              id, definition, createdAt, copy.length, ModuleDigest.sha256Hex(copy));
      catalog.modules.put(id, copy);
      versions.add(published);
      return published;
    }
  }

  @Override
  public <D extends ComponentDefinition> Optional<PublishedComponent<D>> find(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      String name,
      @Nullable Integer version) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      var versions = catalog.names(kind).get(name);
      if (versions == null || versions.isEmpty()) {
        return Optional.empty();
      }
      if (version == null) {
        return Optional.of(kind.cast(versions.get(versions.size() - 1)));
      }
      return version >= 1 && version <= versions.size()
          ? Optional.of(kind.cast(versions.get(version - 1)))
          : Optional.empty();
    }
  }

  @Override
  public <D extends ComponentDefinition> List<PublishedComponent<D>> versions(
      DatabaseName database, long generation, ComponentKind<D> kind, String name) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      var versions = catalog.names(kind).get(name);
      return versions == null ? List.of() : versions.stream().map(kind::cast).toList();
    }
  }

  @Override
  public <D extends ComponentDefinition> List<PublishedComponent<D>> list(
      DatabaseName database, long generation, ComponentKind<D> kind) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      return catalog.names(kind).values().stream().flatMap(List::stream).map(kind::cast).toList();
    }
  }

  @Override
  public Optional<byte[]> module(ComponentId id) {
    var catalog = catalogs.get(new Generation(id.database(), id.generation()));
    if (catalog == null) {
      return Optional.empty();
    }
    var bytes = catalog.modules.get(id);
    return bytes == null ? Optional.empty() : Optional.of(bytes.clone());
  }

  @Override
  public void forget(DatabaseName database) {
    long kept = firstKeptGeneration.applyAsLong(database);
    catalogs.keySet().removeIf(g -> g.database().equals(database) && g.generation() < kept);
  }
}
