package io.evidentsource.core.component;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.FoldCacheLookup;
import io.evidentsource.core.observe.QueryKind;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reading state views (docs/data-model.md#state-views-and-state-changes) published in the {@link
 * ComponentCatalog}: selector placeholders, folding in revision or effective-time order, and a
 * cache per (view, version, params) that later reads extend with the events appended since, bounded
 * by a fold count and a byte budget (least recently used folds are dropped; ADR 0005). Thread-safe.
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
  private final ComponentCatalog catalog;
  private final ComponentRuntime runtime;
  private final FoldCache<CacheKey, Fold> cache;

  /**
   * With the default fold cache budget ({@link #DEFAULT_CACHE_BYTES}).
   *
   * @param store the event store the views read
   * @param catalog where published views are found (and loaded from)
   * @param runtime the WebAssembly host
   * @param cacheEntries the most folds kept (least recently used are dropped)
   */
  public StateViews(
      EventStore store, ComponentCatalog catalog, ComponentRuntime runtime, int cacheEntries) {
    this(store, catalog, runtime, cacheEntries, DEFAULT_CACHE_BYTES);
  }

  /**
   * @param store the event store the views read
   * @param catalog where published views are found (and loaded from)
   * @param runtime the WebAssembly host
   * @param cacheEntries the most folds kept (least recently used are dropped); 0 disables the cache
   * @param cacheBytes the byte budget of the fold cache: the states' lengths plus {@link
   *     #CACHE_ENTRY_OVERHEAD_BYTES} per fold; least recently used folds are dropped to stay within
   *     it, and a fold heavier than the whole budget is not cached; 0 disables the cache
   * @throws IllegalArgumentException when {@code cacheEntries} or {@code cacheBytes} is negative
   */
  public StateViews(
      EventStore store,
      ComponentCatalog catalog,
      ComponentRuntime runtime,
      int cacheEntries,
      long cacheBytes) {
    this.store = store;
    this.catalog = catalog;
    this.runtime = runtime;
    var folds = new FoldCache<CacheKey, Fold>(cacheBytes, cacheEntries, fold -> fold.state.length);
    this.cache = folds;
    // a deleted database's folds are never read again: let go of them at once
    catalog.whenForgotten(database -> folds.removeIf(k -> k.view().database().equals(database)));
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
   * Reads a view: the fold of its matching events at the requested point.
   *
   * @throws EvidentSourceException {@code STATE_VIEW_NOT_FOUND}, {@code INVALID_QUERY} (a missing
   *     parameter, {@code as_of_effective_time} on a revision view), the query errors, and the
   *     runtime's component errors
   */
  public StateViewResult read(
      DatabaseName database, String name, @Nullable Integer version, StateViewRead read) {
    var view = catalog.describe(store.database(database), ComponentKind.STATE_VIEW, name, version);
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
    catalog.ensureLoaded(view.id());
    var base = baseQuery(definition, read);
    long snapshot = store.stream(database, base, Long.MAX_VALUE, QueryKind.INTERNAL).revision();
    var key = new CacheKey(view.id(), new TreeMap<>(read.params()), read.asOfEffectiveTime());
    Fold cached = cache.get(key);
    Fold fold;
    FoldCacheLookup lookup;
    if (cached != null && cached.revision == snapshot) {
      fold = cached;
      lookup = FoldCacheLookup.HIT;
    } else if (cached != null && cached.revision < snapshot) {
      lookup = FoldCacheLookup.EXTENDED;
      var newer =
          store.stream(
              database,
              base.withRevision(snapshot).withRange(cached.revision + 1, snapshot),
              Long.MAX_VALUE,
              QueryKind.INTERNAL);
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
      lookup = FoldCacheLookup.MISS;
    }
    store.observer().foldCacheLookup(database, lookup);
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
    var view = catalog.describe(database, ComponentKind.STATE_VIEW, name, version);
    catalog.ensureLoaded(view.id());
    var base = baseQuery(view.definition(), read);
    long snapshot = store.stream(database, base, Long.MAX_VALUE, QueryKind.INTERNAL).revision();
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
    var events =
        store.stream(database, base.withRevision(snapshot), Long.MAX_VALUE, QueryKind.INTERNAL);
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
