package io.evidentsource.server.observe;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.subscription.SubscriptionEngine.OpenSubscription;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-database gauges: {@code evidentsource.database.revision} and {@code
 * evidentsource.database.events} (the head revision, which is also the number of events, revisions
 * being dense), {@code evidentsource.subscriptions} (open live tails) and, on the DynamoDB
 * profiles, {@code evidentsource.notifications.pending}. The heads follow this instance's commits
 * at once and are refreshed from storage every {@code gauge-refresh} (which also brings in other
 * instances' databases and commits). Databases beyond the tag cap are summed under {@code _other}.
 * Thread-safe.
 */
public final class DatabaseGauges {
  private static final Logger log = LoggerFactory.getLogger(DatabaseGauges.class);

  private final MeterRegistry registry;
  private final DatabaseTags tags;
  private final Supplier<List<DatabaseInfo>> databases;
  private final ConcurrentHashMap<DatabaseName, AtomicLong> heads = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<Meter>> gauges = new ConcurrentHashMap<>();
  private volatile Supplier<List<OpenSubscription>> subscriptions = List::of;
  private volatile @Nullable ToLongFunction<DatabaseName> pendingNotifications;

  /**
   * @param registry where the gauges go
   * @param tags the capped database tag values
   * @param databases lists every database with its head (the storage's catalog)
   */
  DatabaseGauges(
      MeterRegistry registry, DatabaseTags tags, Supplier<List<DatabaseInfo>> databases) {
    this.registry = registry;
    this.tags = tags;
    this.databases = databases;
  }

  /** Where the open live tails are read from (set once the subscription engine exists). */
  void followSubscriptions(Supplier<List<OpenSubscription>> subscriptions) {
    this.subscriptions = subscriptions;
  }

  /**
   * Follows the notification relay of the DynamoDB profiles: registers {@code
   * evidentsource.notifications.pending} for each database and the counter {@code
   * evidentsource.notification.relay.errors}.
   *
   * @param pending committed revisions not yet announced, per database
   * @param errors failed publishing rounds and sweeps so far
   */
  public void followNotifications(ToLongFunction<DatabaseName> pending, LongSupplier errors) {
    FunctionCounter.builder(
            "evidentsource.notification.relay.errors", errors, LongSupplier::getAsLong)
        .description("Failed publishing rounds and sweeps of the notification relay (retried)")
        .register(registry);
    this.pendingNotifications = pending;
    for (String tag : List.copyOf(gauges.keySet())) {
      registerPending(tag);
    }
  }

  /** A database exists at least at {@code revision} (created, or committed on this instance). */
  void seen(DatabaseName database, long revision) {
    AtomicLong head = heads.get(database);
    if (head == null) {
      head = heads.computeIfAbsent(database, d -> new AtomicLong());
    }
    if (head.get() < revision) {
      head.accumulateAndGet(revision, Math::max);
    }
    String tag = tags.admit(database);
    if (!gauges.containsKey(tag)) {
      // once per tag value: a committing thread does no registration work after the first
      // (followNotifications adds the pending gauge to tags registered before it)
      register(tag);
    }
  }

  /** A database was deleted: its gauges go (unless it was summed under {@code _other}). */
  void deleted(DatabaseName database) {
    heads.remove(database);
    String tag = tags.of(database);
    tags.forget(database);
    if (!tag.equals(DatabaseTags.OTHER)) {
      var meters = gauges.remove(tag);
      if (meters != null) {
        meters.forEach(registry::remove);
      }
    }
  }

  /** Reads every database's head from storage; drops the gauges of databases that are gone. */
  void refresh() {
    try {
      var listed = databases.get();
      var names = new HashSet<DatabaseName>();
      for (DatabaseInfo info : listed) {
        names.add(info.name());
        heads.computeIfAbsent(info.name(), d -> new AtomicLong()).set(info.revision());
        register(tags.admit(info.name()));
      }
      for (DatabaseName known : List.copyOf(heads.keySet())) {
        if (!names.contains(known)) {
          deleted(known);
        }
      }
    } catch (RuntimeException e) {
      log.atWarn()
          .setCause(e)
          .log("refreshing the database gauges from storage failed; the next refresh retries");
    }
  }

  private void register(String tag) {
    gauges.computeIfAbsent(
        tag,
        t -> {
          var meters = new ArrayList<Meter>();
          meters.add(
              Gauge.builder("evidentsource.database.revision", () -> head(t))
                  .description("Head revision of the database (its latest committed revision)")
                  .tag("database", t)
                  .register(registry));
          meters.add(
              Gauge.builder("evidentsource.database.events", () -> head(t))
                  .description("Events stored in the database (equal to its head revision)")
                  .tag("database", t)
                  .register(registry));
          meters.add(
              Gauge.builder("evidentsource.subscriptions", () -> subscriptionsOf(t))
                  .description("Open live tails (SSE and gRPC SubscribeEvents) of the database")
                  .tag("database", t)
                  .register(registry));
          return meters;
        });
    if (pendingNotifications != null) {
      registerPending(tag);
    }
  }

  private void registerPending(String tag) {
    var meters = gauges.get(tag);
    var pending = pendingNotifications;
    if (meters == null || pending == null) {
      return;
    }
    synchronized (meters) {
      boolean present =
          meters.stream()
              .anyMatch(m -> m.getId().getName().equals("evidentsource.notifications.pending"));
      if (!present) {
        meters.add(
            Gauge.builder("evidentsource.notifications.pending", () -> sum(tag, pending))
                .description(
                    "Committed revisions of the database not yet announced on SNS or Kafka")
                .tag("database", tag)
                .register(registry));
      }
    }
  }

  private long head(String tag) {
    return sum(tag, d -> heads.getOrDefault(d, new AtomicLong()).get());
  }

  private long sum(String tag, ToLongFunction<DatabaseName> value) {
    long total = 0;
    for (Map.Entry<DatabaseName, AtomicLong> e : heads.entrySet()) {
      if (tags.of(e.getKey()).equals(tag)) {
        total += value.applyAsLong(e.getKey());
      }
    }
    return total;
  }

  private long subscriptionsOf(String tag) {
    return subscriptions.get().stream().filter(s -> tags.of(s.database()).equals(tag)).count();
  }
}
