package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ComponentRegistry} in the heap: lost on restart, like the in-memory storage, and seen by
 * this process only.
 */
public final class InMemoryComponentRegistry implements ComponentRegistry {
  private final Map<Generation, Catalog> catalogs = new ConcurrentHashMap<>();

  private record Generation(DatabaseName database, long generation) {}

  private static final class Catalog {
    final TreeMap<String, List<PublishedStateView>> views = new TreeMap<>();
    final TreeMap<String, List<PublishedStateChange>> changes = new TreeMap<>();
    final Map<ComponentId, byte[]> modules = new ConcurrentHashMap<>();
  }

  private Catalog catalog(DatabaseName database, long generation) {
    return catalogs.computeIfAbsent(new Generation(database, generation), g -> new Catalog());
  }

  @Override
  public PublishedStateView addStateView(
      DatabaseName database,
      long generation,
      StateViewDefinition definition,
      byte[] module,
      Instant createdAt) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      var versions = catalog.views.computeIfAbsent(definition.name(), n -> new ArrayList<>());
      var id =
          new ComponentId(
              database,
              generation,
              ComponentKind.STATE_VIEW,
              definition.name(),
              versions.size() + 1);
      var copy = module.clone();
      var published =
          new PublishedStateView(
              id, definition, createdAt, copy.length, ModuleDigest.sha256Hex(copy));
      catalog.modules.put(id, copy);
      versions.add(published);
      return published;
    }
  }

  @Override
  public PublishedStateChange addStateChange(
      DatabaseName database,
      long generation,
      StateChangeDefinition definition,
      byte[] module,
      Instant createdAt) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      var versions = catalog.changes.computeIfAbsent(definition.name(), n -> new ArrayList<>());
      var id =
          new ComponentId(
              database,
              generation,
              ComponentKind.STATE_CHANGE,
              definition.name(),
              versions.size() + 1);
      var copy = module.clone();
      var published =
          new PublishedStateChange(
              id, definition, createdAt, copy.length, ModuleDigest.sha256Hex(copy));
      catalog.modules.put(id, copy);
      versions.add(published);
      return published;
    }
  }

  @Override
  public Optional<PublishedStateView> stateView(
      DatabaseName database, long generation, String name, @Nullable Integer version) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      return pick(catalog.views.get(name), version);
    }
  }

  @Override
  public Optional<PublishedStateChange> stateChange(
      DatabaseName database, long generation, String name, @Nullable Integer version) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      return pick(catalog.changes.get(name), version);
    }
  }

  private static <T> Optional<T> pick(@Nullable List<T> versions, @Nullable Integer version) {
    if (versions == null || versions.isEmpty()) {
      return Optional.empty();
    }
    if (version == null) {
      return Optional.of(versions.get(versions.size() - 1));
    }
    return version >= 1 && version <= versions.size()
        ? Optional.of(versions.get(version - 1))
        : Optional.empty();
  }

  @Override
  public List<PublishedStateView> stateViewVersions(
      DatabaseName database, long generation, String name) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      var versions = catalog.views.get(name);
      return versions == null ? List.of() : List.copyOf(versions);
    }
  }

  @Override
  public List<PublishedStateChange> stateChangeVersions(
      DatabaseName database, long generation, String name) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      var versions = catalog.changes.get(name);
      return versions == null ? List.of() : List.copyOf(versions);
    }
  }

  @Override
  public List<PublishedStateView> stateViews(DatabaseName database, long generation) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      return flatten(catalog.views, Function.identity());
    }
  }

  @Override
  public List<PublishedStateChange> stateChanges(DatabaseName database, long generation) {
    var catalog = catalog(database, generation);
    synchronized (catalog) {
      return flatten(catalog.changes, Function.identity());
    }
  }

  private static <T> List<T> flatten(TreeMap<String, List<T>> byName, Function<T, T> f) {
    var all = new ArrayList<T>();
    byName.values().forEach(vs -> vs.forEach(v -> all.add(f.apply(v))));
    return List.copyOf(all);
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
    catalogs.keySet().removeIf(g -> g.database().equals(database));
  }
}
