package io.evidentsource.server.observe;

import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.observe.CallOutcome;
import io.evidentsource.core.observe.ComponentCallReport;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.observe.FoldCacheLookup;
import io.evidentsource.core.observe.IndexCacheLookup;
import io.evidentsource.core.observe.QueryKind;
import io.evidentsource.core.observe.QueryReport;
import io.evidentsource.core.observe.TransactionOutcome;
import io.evidentsource.core.observe.TransactionReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the core's reports to Micrometer meters, trace spans and log lines (docs/operations.md).
 *
 * <p>Meters (Prometheus names in docs/operations.md): {@code evidentsource.transactions} by
 * database and outcome, {@code evidentsource.events.appended} and {@code
 * evidentsource.conditions.failed} by database, the {@code evidentsource.append} timer by outcome,
 * the {@code evidentsource.query} timer by kind, {@code evidentsource.wasm.calls} by database,
 * component, kind and outcome and the {@code evidentsource.wasm} timer by kind and outcome.
 * Database and component tags are capped by {@link DatabaseTags}.
 *
 * <p>Logs: one INFO line per catalog change and component publish; WARN for a failed component call
 * and for a transaction that ended in {@code error}, each with its code; WARN for a read over
 * {@code slow-query} and a transaction over {@code slow-append}.
 *
 * <p>Spans: one per {@link Step}, named {@code evidentsource.<step>}, child of the current span
 * (the REST or gRPC request's), tagged with the database and, when the step reports, its outcome;
 * none under a request span that is not sampled (the span would be dropped with its parent).
 *
 * <p>The meters of the hot calls (transactions, appended events, failed conditions, the append and
 * query timers, the index and fold cache lookups) are looked up in the registry once per tag
 * combination and then kept here: a registry lookup builds and hashes a meter id on every call
 * (docs/benchmarks.md#observability-overhead-rest-appends-with-metrics-and-tracing-on-and-off). The
 * combinations are bounded as the tags are: a database's meters are let go when it is deleted, and
 * the whole cache is dropped (to be filled again from the registry) should it ever grow past a few
 * times the tagged databases.
 */
final class MicrometerObserver implements EventStoreObserver {
  private static final Logger log = LoggerFactory.getLogger("io.evidentsource.observe");

  private final DatabaseTags tags;
  private final DatabaseGauges gauges;
  private final @Nullable Tracer tracer;
  private final Supplier<Map<String, String>> traceContext;
  private final long slowQueryNanos;
  private final long slowAppendNanos;

  private final MeterProvider<Counter> transactions;
  private final MeterProvider<Counter> eventsAppended;
  private final MeterProvider<Counter> conditionsFailed;
  private final MeterProvider<Timer> appendTimer;
  private final MeterProvider<Timer> queryTimer;
  private final MeterProvider<Counter> wasmCalls;
  private final MeterProvider<Timer> wasmTimer;
  private final MeterProvider<Counter> foldCache;
  private final MeterProvider<Counter> indexCache;

  private final int maxCachedDatabases;
  private final ConcurrentHashMap<String, DatabaseMeters> databaseMeters =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TransactionOutcome, Timer> appendTimers =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<QueryKind, Timer> queryTimers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<IndexCacheLookup, Counter> indexLookups =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<FoldCacheLookup, Counter> foldLookups = new ConcurrentHashMap<>();

  /**
   * @param registry where the meters go
   * @param tags the capped database and component tag values
   * @param maxTaggedDatabases the cap on databases with a tag of their own, which bounds the meters
   *     kept here
   * @param gauges the per-database gauges, which follow commits and catalog changes
   * @param tracer where spans go, or null when tracing is off
   * @param traceContext the current thread's W3C trace headers ({@link TraceHeaders}), read for
   *     each transaction in group commit ({@link #traceContext()})
   * @param slowQuery the slow-read log threshold (0: off)
   * @param slowAppend the slow-transaction log threshold (0: off)
   */
  MicrometerObserver(
      MeterRegistry registry,
      DatabaseTags tags,
      int maxTaggedDatabases,
      DatabaseGauges gauges,
      @Nullable Tracer tracer,
      Supplier<Map<String, String>> traceContext,
      Duration slowQuery,
      Duration slowAppend) {
    this.tags = tags;
    this.traceContext = traceContext;
    this.maxCachedDatabases = 4 * Math.max(1, maxTaggedDatabases) + 16;
    this.gauges = gauges;
    this.tracer = tracer;
    this.slowQueryNanos = slowQuery.isZero() ? Long.MAX_VALUE : slowQuery.toNanos();
    this.slowAppendNanos = slowAppend.isZero() ? Long.MAX_VALUE : slowAppend.toNanos();
    this.transactions =
        Counter.builder("evidentsource.transactions")
            .description("Transactions ended, by database and outcome")
            .withRegistry(registry);
    this.eventsAppended =
        Counter.builder("evidentsource.events.appended")
            .description("Events appended by committed transactions")
            .withRegistry(registry);
    this.conditionsFailed =
        Counter.builder("evidentsource.conditions.failed")
            .description("Append conditions that did not hold (one transaction may fail several)")
            .withRegistry(registry);
    this.appendTimer =
        Timer.builder("evidentsource.append")
            .description("Transaction latency, from validation to the answer, by outcome")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .withRegistry(registry);
    this.queryTimer =
        Timer.builder("evidentsource.query")
            .description(
                "Read latency (query page or export, single event, live-tail read) by kind")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .withRegistry(registry);
    this.wasmCalls =
        Counter.builder("evidentsource.wasm.calls")
            .description("Calls into WebAssembly components, by database, component, kind, outcome")
            .withRegistry(registry);
    this.wasmTimer =
        Timer.builder("evidentsource.wasm")
            .description("Duration of one call into a WebAssembly component, by kind and outcome")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .withRegistry(registry);
    this.foldCache =
        Counter.builder("evidentsource.state.view.cache.lookups")
            .description("State view reads by what the fold cache held: hit, extended or miss")
            .withRegistry(registry);
    this.indexCache =
        Counter.builder("evidentsource.index.cache.lookups")
            .description(
                "Reads and appends by what the database's in-memory index held: hit (at the"
                    + " revision needed), extended (caught up from the log) or miss (built from it)")
            .withRegistry(registry);
  }

  @Override
  public Map<String, String> traceContext() {
    return traceContext.get();
  }

  @Override
  public void indexCacheLookup(DatabaseName database, IndexCacheLookup lookup) {
    cached(indexLookups, lookup, l -> indexCache.withTags("result", l.label())).increment();
  }

  @Override
  public void foldCacheLookup(DatabaseName database, FoldCacheLookup lookup) {
    cached(foldLookups, lookup, l -> foldCache.withTags("result", l.label())).increment();
  }

  @Override
  public Scope open(Step step, DatabaseName database) {
    var t = tracer;
    if (t == null) {
      return Scope.NONE;
    }
    if (inUnsampledSpan()) {
      return Scope.NONE;
    }
    Span parent = t.currentSpan();
    if (parent != null && !Boolean.TRUE.equals(parent.context().sampled())) {
      // a child of an unsampled request span would be dropped too: skip making it
      return Scope.NONE;
    }
    Span span =
        t.nextSpan().name("evidentsource." + step.label()).tag("db.namespace", database.value());
    span.start();
    Tracer.SpanInScope inScope = t.withSpan(span);
    return new Scope() {
      @Override
      public void failed(Throwable error) {
        span.error(error);
      }

      @Override
      public void close() {
        inScope.close();
        span.end();
      }
    };
  }

  @Override
  public void transactionEnded(TransactionReport r) {
    boolean served = r.error() == null;
    String database = served ? tags.admit(r.database()) : tags.of(r.database());
    String outcome = r.outcome().label();
    DatabaseMeters meters = metersOf(database);
    meters.transactions(r.outcome()).increment();
    cached(appendTimers, r.outcome(), o -> appendTimer.withTags("outcome", o.label()))
        .record(r.nanos(), TimeUnit.NANOSECONDS);
    if (r.outcome() == TransactionOutcome.COMMITTED) {
      meters.eventsAppended().increment(r.eventCount());
      gauges.seen(r.database(), r.revision());
    }
    if (r.failedConditions() > 0) {
      meters.conditionsFailed().increment(r.failedConditions());
    }
    tagCurrentSpan("evidentsource.outcome", outcome);
    if (r.outcome() == TransactionOutcome.ERROR) {
      log.atWarn()
          .addKeyValue("database", r.database().value())
          .addKeyValue("code", code(r.error()))
          .addKeyValue("duration_ms", millis(r.nanos()))
          .log("transaction on database '{}' failed with {}", r.database(), code(r.error()));
    }
    if (r.nanos() >= slowAppendNanos) {
      log.atWarn()
          .addKeyValue("database", r.database().value())
          .addKeyValue("outcome", outcome)
          .addKeyValue("event_count", r.eventCount())
          .addKeyValue("duration_ms", millis(r.nanos()))
          .log(
              "slow append: {} events on database '{}' took {} ms ({})",
              r.eventCount(),
              r.database(),
              millis(r.nanos()),
              outcome);
    }
  }

  @Override
  public void queryEnded(QueryReport r) {
    if (r.kind() != QueryKind.INTERNAL) {
      if (!r.failed()) {
        tags.admit(r.database());
      }
      cached(queryTimers, r.kind(), k -> queryTimer.withTags("kind", k.label()))
          .record(r.nanos(), TimeUnit.NANOSECONDS);
    }
    if (r.nanos() >= slowQueryNanos) {
      String query = r.query() == null ? "revision " + r.revision() : r.query().toString();
      log.atWarn()
          .addKeyValue("database", r.database().value())
          .addKeyValue("kind", r.kind().label())
          .addKeyValue("query", query)
          .addKeyValue("events", r.events())
          .addKeyValue("duration_ms", millis(r.nanos()))
          .log(
              "slow query: {} read of database '{}' took {} ms for {} events: {}",
              r.kind().label(),
              r.database(),
              millis(r.nanos()),
              r.events(),
              query);
    }
  }

  @Override
  public void componentCallEnded(ComponentCallReport r) {
    var id = r.component();
    boolean ran = r.outcome() == CallOutcome.OK || r.outcome() == CallOutcome.REJECTED;
    String database = ran ? tags.admit(id.database()) : tags.of(id.database());
    String kind = id.kind().field();
    String outcome = r.outcome().label();
    wasmCalls
        .withTags(
            "database",
            database,
            "component",
            tags.component(id, ran),
            "kind",
            kind,
            "outcome",
            outcome)
        .increment();
    wasmTimer.withTags("kind", kind, "outcome", outcome).record(r.nanos(), TimeUnit.NANOSECONDS);
    tagCurrentSpan("evidentsource.component", id.name() + "@" + id.version());
    tagCurrentSpan("evidentsource.outcome", outcome);
    if (!ran) {
      log.atWarn()
          .addKeyValue("database", id.database().value())
          .addKeyValue("component", id.name())
          .addKeyValue("component_version", id.version())
          .addKeyValue("component_kind", kind)
          .addKeyValue("call", r.call().label())
          .addKeyValue("code", code(r.error()))
          .addKeyValue("duration_ms", millis(r.nanos()))
          .log(
              "{} '{}' version {} of database '{}' failed in {} with {}: {}",
              id.kind().label(),
              id.name(),
              id.version(),
              id.database(),
              r.call().label(),
              code(r.error()),
              r.message());
    }
  }

  @Override
  public void databaseCreated(DatabaseInfo database) {
    gauges.seen(database.name(), database.revision());
    log.atInfo()
        .addKeyValue("database", database.name().value())
        .log("database '{}' created", database.name());
  }

  @Override
  public void databaseDeleted(DatabaseName database) {
    gauges.deleted(database);
    databaseMeters.remove(database.value());
    log.atInfo().addKeyValue("database", database.value()).log("database '{}' deleted", database);
  }

  @Override
  public void componentPublished(PublishedComponent<?> component) {
    var id = component.id();
    log.atInfo()
        .addKeyValue("database", id.database().value())
        .addKeyValue("component", id.name())
        .addKeyValue("component_version", id.version())
        .addKeyValue("component_kind", id.kind().field())
        .addKeyValue("module_bytes", component.moduleSize())
        .addKeyValue("module_sha256", component.moduleSha256())
        .log(
            "{} '{}' version {} published in database '{}' ({} bytes)",
            id.kind().label(),
            id.name(),
            id.version(),
            id.database(),
            component.moduleSize());
  }

  /** The meters of one database tag value, looked up in the registry on first use. */
  private DatabaseMeters metersOf(String database) {
    DatabaseMeters meters = databaseMeters.get(database);
    if (meters != null) {
      return meters;
    }
    if (databaseMeters.size() >= maxCachedDatabases) {
      // databases deleted by other instances leave their entries behind: start again (the
      // registry keeps the meters, so nothing counted is lost)
      databaseMeters.clear();
    }
    return databaseMeters.computeIfAbsent(database, DatabaseMeters::new);
  }

  private static <K, M> M cached(ConcurrentHashMap<K, M> cache, K key, Function<K, M> lookup) {
    M meter = cache.get(key);
    return meter != null ? meter : cache.computeIfAbsent(key, lookup);
  }

  /** The counters tagged with one database: made in the registry on first use, then kept. */
  private final class DatabaseMeters {
    private final String database;
    private final ConcurrentHashMap<TransactionOutcome, Counter> transactionsByOutcome =
        new ConcurrentHashMap<>();
    private volatile @Nullable Counter eventsAppendedCounter;
    private volatile @Nullable Counter conditionsFailedCounter;

    DatabaseMeters(String database) {
      this.database = database;
    }

    Counter transactions(TransactionOutcome outcome) {
      return cached(
          transactionsByOutcome,
          outcome,
          o -> transactions.withTags("database", database, "outcome", o.label()));
    }

    Counter eventsAppended() {
      Counter counter = eventsAppendedCounter;
      if (counter == null) {
        counter = eventsAppended.withTags("database", database);
        eventsAppendedCounter = counter; // racing threads get the registry's same meter
      }
      return counter;
    }

    Counter conditionsFailed() {
      Counter counter = conditionsFailedCounter;
      if (counter == null) {
        counter = conditionsFailed.withTags("database", database);
        conditionsFailedCounter = counter;
      }
      return counter;
    }
  }

  private void tagCurrentSpan(String key, String value) {
    var t = tracer;
    if (t != null && !inUnsampledSpan()) {
      Span span = t.currentSpan();
      if (span != null) {
        span.tag(key, value);
      }
    }
  }

  /**
   * Whether the current span is one that is not sampled, so neither recorded nor worth a child or a
   * tag: read from OpenTelemetry's context, which allocates nothing, where {@link
   * Tracer#currentSpan()} wraps the span on every call. False without an OpenTelemetry span (no
   * span, or another tracer), where the tracer is asked.
   */
  private static boolean inUnsampledSpan() {
    SpanContext current = io.opentelemetry.api.trace.Span.current().getSpanContext();
    return current.isValid() && !current.isSampled();
  }

  private static String code(@Nullable ErrorCode code) {
    return code == null ? ErrorCode.INTERNAL.code() : code.code();
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
