package io.evidentsource.core.component;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Publishing and reading state views (docs/data-model.md#state-views-and-state-changes): versions
 * per name, selector placeholders, folding in revision or effective-time order, and a cache per
 * (view, version, params) that later reads extend with the events appended since, bounded by a fold
 * count and a byte budget (least recently used folds are dropped; ADR 0005). Thread-safe.
 */
public final class StateViews {
  /** The fold cache's default byte budget: 64 MiB. */
  public static final long DEFAULT_CACHE_BYTES = 64L * 1024 * 1024;

  /**
   * Heap estimate of one fold cache entry besides its state bytes (key, parameters, fold record,
   * map node); each entry counts this plus its state's length against the byte budget.
   */
  public static final long CACHE_ENTRY_OVERHEAD_BYTES = FoldCache.ENTRY_OVERHEAD_BYTES;

  private final EventStore store;
  private final ComponentRegistry registry;
  private final ComponentRuntime runtime;
  private final Clock clock;
  private final FoldCache<CacheKey, Fold> cache;

  /**
   * With the default fold cache budget ({@link #DEFAULT_CACHE_BYTES}).
   *
   * @param store the event store the views read
   * @param registry where published views are kept
   * @param runtime the WebAssembly host
   * @param clock the source of publication times
   * @param cacheEntries the most folds kept (least recently used are dropped)
   */
  public StateViews(
      EventStore store,
      ComponentRegistry registry,
      ComponentRuntime runtime,
      Clock clock,
      int cacheEntries) {
    this(store, registry, runtime, clock, cacheEntries, DEFAULT_CACHE_BYTES);
  }

  /**
   * @param store the event store the views read
   * @param registry where published views are kept
   * @param runtime the WebAssembly host
   * @param clock the source of publication times
   * @param cacheEntries the most folds kept (least recently used are dropped); 0 disables the cache
   * @param cacheBytes the byte budget of the fold cache: the states' lengths plus {@link
   *     #CACHE_ENTRY_OVERHEAD_BYTES} per fold; least recently used folds are dropped to stay within
   *     it, and a fold heavier than the whole budget is not cached; 0 disables the cache
   * @throws IllegalArgumentException when {@code cacheEntries} or {@code cacheBytes} is negative
   */
  public StateViews(
      EventStore store,
      ComponentRegistry registry,
      ComponentRuntime runtime,
      Clock clock,
      int cacheEntries,
      long cacheBytes) {
    this.store = store;
    this.registry = registry;
    this.runtime = runtime;
    this.clock = clock;
    this.cache = new FoldCache<>(cacheBytes, cacheEntries, fold -> fold.state.length);
  }

  /**
   * Publishes the next version of a view after validating the module against the ABI.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}, {@code INVALID_COMPONENT}, {@code
   *     COMPONENT_TOO_LARGE}
   */
  public PublishedStateView publish(
      DatabaseName database, StateViewDefinition definition, byte[] module) {
    var info = store.database(database);
    runtime.validate(ComponentKind.STATE_VIEW, module);
    var published =
        registry.addStateView(database, info.generation(), definition, module, clock.instant());
    runtime.load(published.id(), module);
    return published;
  }

  /** Every version of every view of a database, by name then version. */
  public List<PublishedStateView> list(DatabaseName database) {
    return registry.stateViews(database, store.database(database).generation());
  }

  /**
   * Every version of one view, ascending from 1.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}, {@code STATE_VIEW_NOT_FOUND} when no
   *     version of that name was published
   */
  public List<PublishedStateView> versions(DatabaseName database, String name) {
    var versions =
        registry.stateViewVersions(database, store.database(database).generation(), name);
    if (versions.isEmpty()) {
      throw notFound(database, name, null);
    }
    return versions;
  }

  /**
   * The module of one version exactly as it was published (its SHA-256 is the version's {@link
   * PublishedStateView#moduleSha256()}).
   *
   * @param view a version as {@link #describe} returned it
   * @throws EvidentSourceException {@code STATE_VIEW_NOT_FOUND} when the registry lost the module
   */
  public byte[] module(PublishedStateView view) {
    var id = view.id();
    return registry.module(id).orElseThrow(() -> notFound(id.database(), id.name(), id.version()));
  }

  /** How many folds the cache holds (for tests and diagnostics). */
  public int cachedFolds() {
    return cache.size();
  }

  /**
   * The weight of the cached folds in bytes: state lengths plus {@link #CACHE_ENTRY_OVERHEAD_BYTES}
   * each (for tests and diagnostics).
   */
  public long cachedBytes() {
    return cache.bytes();
  }

  /**
   * One version of a view, or the latest when {@code version} is null.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}, {@code STATE_VIEW_NOT_FOUND}
   */
  public PublishedStateView describe(
      DatabaseName database, String name, @Nullable Integer version) {
    return describe(store.database(database), name, version);
  }

  private PublishedStateView describe(DatabaseInfo info, String name, @Nullable Integer version) {
    return registry
        .stateView(info.name(), info.generation(), name, version)
        .orElseThrow(() -> notFound(info.name(), name, version));
  }

  /**
   * Reads a view: the fold of its matching events at the requested point.
   *
   * @throws EvidentSourceException {@code STATE_VIEW_NOT_FOUND}, {@code INVALID_QUERY} (a missing
   *     parameter, {@code as_of_effective_time} on a revision view), the query errors, and the
   *     runtime's component errors
   */
  public StateViewResult read(
      DatabaseName database, String name, @Nullable Integer version, StateViewRead read) {
    var info = store.database(database);
    var view = describe(info, name, version);
    var definition = view.definition();
    var effective = definition.temporality() == QueryTemporality.EFFECTIVE;
    if (!effective && read.asOfEffectiveTime() != null) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "'as_of_effective_time' needs a view with query_temporality 'effective'; '"
              + name
              + "' folds by revision",
          Map.of("parameter", "as_of_effective_time"));
    }
    ensureLoaded(view.id());
    var base = baseQuery(definition, read);
    long snapshot = store.stream(database, base, Long.MAX_VALUE).revision();
    var key = new CacheKey(view.id(), new TreeMap<>(read.params()), read.asOfEffectiveTime());
    Fold cached = cache.get(key);
    Fold fold;
    if (cached != null && cached.revision == snapshot) {
      fold = cached;
    } else if (cached != null && cached.revision < snapshot) {
      var newer =
          store.stream(
              database,
              base.withRevision(snapshot).withRange(cached.revision + 1, snapshot),
              Long.MAX_VALUE);
      if (!effective) {
        fold = extend(view.id(), cached, newer.events(), snapshot, read.params());
      } else {
        var events = new ArrayList<StoredEvent>();
        newer.events().forEachRemaining(events::add);
        boolean appendsAtTheEnd =
            cached.maxEffective == null
                || events.isEmpty()
                || !events.get(0).effectiveTime().isBefore(cached.maxEffective);
        fold =
            appendsAtTheEnd
                ? extend(view.id(), cached, events.iterator(), snapshot, read.params())
                : fromScratch(database, view.id(), base, snapshot, read.params());
      }
    } else {
      fold = fromScratch(database, view.id(), base, snapshot, read.params());
    }
    if (cached == null || fold.revision > cached.revision) {
      cache.put(key, fold);
    }
    return new StateViewResult(
        database,
        name,
        view.id().version(),
        snapshot,
        fold.lastModifiedRevision,
        fold.lastModifiedTime,
        definition.contentType(),
        fold.state);
  }

  /** Folds the view from the empty state, ignoring the cache (for tests and diagnostics). */
  public byte[] foldFromScratch(
      DatabaseName database, String name, @Nullable Integer version, StateViewRead read) {
    var view = describe(database, name, version);
    ensureLoaded(view.id());
    var base = baseQuery(view.definition(), read);
    long snapshot = store.stream(database, base, Long.MAX_VALUE).revision();
    return fromScratch(database, view.id(), base, snapshot, read.params()).state;
  }

  /**
   * The events a read folds: the view's selector with the read's parameters filled in, at the
   * read's point, in the view's folding order (revision, or effective time).
   */
  private static EventQuery baseQuery(StateViewDefinition definition, StateViewRead read) {
    boolean effective = definition.temporality() == QueryTemporality.EFFECTIVE;
    return EventQuery.of(SelectorTemplate.fill(definition.selector(), read.params()))
        .withSnapshot(read.snapshot())
        .withOrder(effective ? Order.EFFECTIVE_TIME : Order.REVISION)
        .withAsOfEffectiveTime(read.asOfEffectiveTime());
  }

  private Fold fromScratch(
      DatabaseName database,
      ComponentId id,
      EventQuery base,
      long snapshot,
      Map<String, String> params) {
    var events = store.stream(database, base.withRevision(snapshot), Long.MAX_VALUE);
    return extend(id, Fold.EMPTY, events.events(), snapshot, params);
  }

  private Fold extend(
      ComponentId id,
      Fold from,
      Iterator<StoredEvent> events,
      long snapshot,
      Map<String, String> params) {
    byte[] state = from.state;
    long lastRevision = from.lastModifiedRevision;
    Instant lastTime = from.lastModifiedTime;
    Instant maxEffective = from.maxEffective;
    int batchSize = Math.max(1, runtime.evolveBatchSize());
    var batch = new ArrayList<StoredEvent>(Math.min(batchSize, 1024));
    while (events.hasNext()) {
      batch.clear();
      while (events.hasNext() && batch.size() < batchSize) {
        batch.add(events.next());
      }
      for (var e : batch) {
        if (e.revision() > lastRevision) {
          lastRevision = e.revision();
          lastTime = e.recordedTime();
        }
        if (maxEffective == null || e.effectiveTime().isAfter(maxEffective)) {
          maxEffective = e.effectiveTime();
        }
      }
      var basisTime = batch.get(batch.size() - 1).recordedTime();
      state = runtime.evolve(id, state, batch, params, basisTime);
    }
    return new Fold(snapshot, state, lastRevision, lastTime, maxEffective);
  }

  void ensureLoaded(ComponentId id) {
    if (!runtime.isLoaded(id)) {
      var module =
          registry.module(id).orElseThrow(() -> notFound(id.database(), id.name(), id.version()));
      runtime.load(id, module);
    }
  }

  static ComponentNotFoundException notFound(
      DatabaseName database, String name, @Nullable Integer version) {
    return new ComponentNotFoundException(
        ComponentKind.STATE_VIEW, database.value(), name, version);
  }

  /** The view's id carries the database generation, so a re-created database never hits. */
  private record CacheKey(
      ComponentId view, TreeMap<String, String> params, @Nullable Instant asOfEffectiveTime) {}

  private static final class Fold {
    static final Fold EMPTY = new Fold(0, new byte[0], 0, null, null);
    final long revision;
    final byte[] state;
    final long lastModifiedRevision;
    final @Nullable Instant lastModifiedTime;
    final @Nullable Instant maxEffective;

    Fold(
        long revision,
        byte[] state,
        long lastModifiedRevision,
        @Nullable Instant lastModifiedTime,
        @Nullable Instant maxEffective) {
      this.revision = revision;
      this.state = state;
      this.lastModifiedRevision = lastModifiedRevision;
      this.lastModifiedTime = lastModifiedTime;
      this.maxEffective = maxEffective;
    }
  }
}
