package io.evidentsource.storage.dynamodb;

import static io.evidentsource.storage.dynamodb.EventItems.n;
import static io.evidentsource.storage.dynamodb.EventItems.s;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.EventPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Publishes every committed transaction, per database in revision order and at least once — an
 * outbox by revision watermark (docs/dynamodb.md#notifications, ADR 0006). Each database generation
 * has an item in the {@code publications} table with {@code published} (the highest revision
 * announced) and a lease ({@code owner}, {@code until}, epoch ms): only the lease holder publishes,
 * reading the log from the watermark up to the head, transaction by transaction, advancing the
 * watermark after each acknowledged publish. A crash between commit and publish leaves the
 * watermark behind the head; the next round of any instance (after a commit, or the periodic sweep
 * over all databases) publishes what is missing. A transaction published just before a crash may be
 * published again.
 *
 * <p>Order holds while a lease holder finishes within its lease; a holder paused longer than the
 * lease can lose it to another instance and both may publish the same transactions (each watermark
 * update is conditional on holding the lease, so the watermark never moves back).
 */
public final class NotificationRelay implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NotificationRelay.class.getName());

  /**
   * Relay settings.
   *
   * @param owner this instance's lease owner id, unique among instances (e.g. a random UUID)
   * @param lease how long a lease holds without renewal (renewed after every publish)
   * @param sweepInterval how often every database is checked for unannounced commits
   * @param eventsPerRound events read from the log at once (≥ 100, more than a transaction holds)
   */
  public record Settings(String owner, Duration lease, Duration sweepInterval, int eventsPerRound) {
    public Settings {
      Objects.requireNonNull(owner, "owner");
      if (lease.isNegative() || lease.isZero()) {
        throw new IllegalArgumentException("lease must be positive, was " + lease);
      }
      if (sweepInterval.isNegative() || sweepInterval.isZero()) {
        throw new IllegalArgumentException("sweepInterval must be positive, was " + sweepInterval);
      }
      if (eventsPerRound < 100) {
        throw new IllegalArgumentException("eventsPerRound must be >= 100, was " + eventsPerRound);
      }
    }
  }

  private final DynamoDbStorageAdapter storage;
  private final DynamoDbClient client;
  private final EventPublisher publisher;
  private final Settings settings;
  private final Clock clock;
  private final ScheduledExecutorService worker;
  private final Map<DatabaseName, Boolean> queued = new ConcurrentHashMap<>();
  private final Map<DatabaseName, Long> pending = new ConcurrentHashMap<>();
  private final AtomicLong errors = new AtomicLong();
  private final Map<DatabaseName, ConcurrentSkipListMap<Long, Map<String, String>>> contexts =
      new ConcurrentHashMap<>();

  /** The most commits per database whose trace context waits for publication. */
  static final int MAX_CONTEXTS = 1024;

  /**
   * Makes a committed transaction's trace context current on the relay's thread while that
   * transaction is published, so that spans of the publisher's client (an SNS {@code Publish}, a
   * Kafka send) continue the committing request's trace.
   */
  @FunctionalInterface
  public interface TraceScope {
    /** Opens nothing. */
    TraceScope NONE = traceContext -> () -> {};

    /**
     * Opens the scope of one transaction's publish.
     *
     * @param traceContext the committing request's W3C trace headers ({@code traceparent}, {@code
     *     tracestate}); empty when unknown (a republish after a restart, another instance's commit)
     * @return what {@code close()} ends, on the same thread, once the transaction is published
     */
    Opened open(Map<String, String> traceContext);

    /** An open scope. */
    interface Opened extends AutoCloseable {
      @Override
      void close();
    }
  }

  private final TraceScope traceScope;

  /**
   * @param storage the DynamoDB log to read and whose {@code publications} table to use
   * @param client the client of that storage
   * @param publisher where transactions go
   * @param settings lease, sweep and batch settings
   * @param clock the source of lease times
   */
  public NotificationRelay(
      DynamoDbStorageAdapter storage,
      DynamoDbClient client,
      EventPublisher publisher,
      Settings settings,
      Clock clock) {
    this(storage, client, publisher, settings, clock, TraceScope.NONE);
  }

  /**
   * @param storage the DynamoDB log to read and whose {@code publications} table to use
   * @param client the client of that storage
   * @param publisher where transactions go
   * @param settings lease, sweep and batch settings
   * @param clock the source of lease times
   * @param traceScope opened around each transaction's publish with its trace context
   */
  public NotificationRelay(
      DynamoDbStorageAdapter storage,
      DynamoDbClient client,
      EventPublisher publisher,
      Settings settings,
      Clock clock,
      TraceScope traceScope) {
    this.traceScope = Objects.requireNonNull(traceScope, "traceScope");
    this.storage = storage;
    this.client = client;
    this.publisher = publisher;
    this.settings = settings;
    this.clock = clock;
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "evidentsource-relay");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts the periodic sweep over all databases (the first one right away). */
  public void start() {
    long ms = settings.sweepInterval().toMillis();
    // runs until close() shuts the worker down; sweepQuietly() catches and counts each failure
    var unused = worker.scheduleWithFixedDelay(this::sweepQuietly, 0, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Committed revisions of {@code database} not yet announced, as the relay last saw them (at its
   * last sweep or publishing round; 0 before it looked). For metrics.
   */
  public long pending(DatabaseName database) {
    return pending.getOrDefault(database, 0L);
  }

  /** How many publishing rounds and sweeps failed since start (each is retried). For metrics. */
  public long errors() {
    return errors.get();
  }

  /** Asks for a publishing round of {@code database} soon (coalesced, on the relay's thread). */
  public void committed(DatabaseName database) {
    schedule(database, 0, 0);
  }

  /**
   * Asks for a publishing round of {@code database} soon, and publishes the transaction ending at
   * {@code revision} with {@code traceContext} (the committing request's W3C trace headers), kept
   * for at most {@value #MAX_CONTEXTS} unpublished commits per database.
   */
  public void committed(DatabaseName database, long revision, Map<String, String> traceContext) {
    if (!traceContext.isEmpty()) {
      var waiting = contexts.computeIfAbsent(database, d -> new ConcurrentSkipListMap<>());
      waiting.put(revision, Map.copyOf(traceContext));
      while (waiting.size() > MAX_CONTEXTS) {
        waiting.pollFirstEntry();
      }
    }
    committed(database);
  }

  private void schedule(DatabaseName database, long delayMs, int retries) {
    if (queued.putIfAbsent(database, Boolean.TRUE) != null) {
      return;
    }
    try {
      // the round catches and counts its own failures; close() drops rounds not yet run
      var unused =
          worker.schedule(
              () -> {
                queued.remove(database);
                try {
                  if (publishPending(database).isEmpty() && retries < 5) {
                    schedule(database, 100, retries + 1); // another instance holds the lease
                  }
                } catch (RuntimeException e) {
                  if (worker.isShutdown()) {
                    return; // closed mid-round: the next start's sweep republishes from the
                    // watermark
                  }
                  errors.incrementAndGet();
                  LOG.log(
                      Level.WARNING,
                      "publishing database '" + database + "' failed; will retry",
                      e);
                  if (retries < 5) {
                    schedule(database, 200L << retries, retries + 1);
                  }
                }
              },
              delayMs,
              TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      queued.remove(database); // closed
    }
  }

  /**
   * One round over every database: one {@code Scan} of the catalog and one read of each watermark;
   * only databases whose head is beyond their watermark get a publishing round.
   */
  public void sweep() {
    var listed = storage.listDatabases();
    pending.keySet().retainAll(listed.stream().map(DatabaseInfo::name).toList());
    for (DatabaseInfo info : listed) {
      String key = EventItems.partition(info.name().value(), info.generation());
      long announced = published(key);
      pending.put(info.name(), Math.max(0, info.revision() - announced));
      if (announced < info.revision()) {
        publishPending(info.name());
      }
    }
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      if (worker.isShutdown()) {
        return; // closed mid-sweep (the interrupt aborts the AWS call); nothing is lost
      }
      errors.incrementAndGet();
      LOG.log(Level.WARNING, "notification sweep failed; next sweep retries", e);
    }
  }

  /**
   * Publishes what {@code database} committed beyond its watermark, if this instance gets the
   * lease.
   *
   * @return the watermark reached, or empty when another instance holds the lease
   * @throws RuntimeException when publishing failed (the watermark stays at the last success)
   */
  public Optional<Long> publishPending(DatabaseName database) {
    var found = storage.findDatabase(database);
    if (found.isEmpty()) {
      pending.remove(database);
      return Optional.of(0L);
    }
    long generation = found.get().generation();
    String key = EventItems.partition(database.value(), generation);
    long announced = published(key);
    pending.put(database, Math.max(0, found.get().revision() - announced));
    if (announced >= found.get().revision()) {
      return Optional.of(announced); // nothing to do: no lease write
    }
    Long published = acquire(key);
    if (published == null) {
      return Optional.empty();
    }
    try {
      while (true) {
        var info = storage.findDatabase(database);
        if (info.isEmpty() || info.get().generation() != generation) {
          return Optional.of(published);
        }
        long head = info.get().revision();
        pending.put(database, Math.max(0, head - published));
        if (published >= head) {
          return Optional.of(published);
        }
        var transactions =
            storage.readTransactions(
                database, generation, published + 1, published + settings.eventsPerRound());
        var waiting = contexts.get(database);
        for (List<StoredEvent> tx : transactions) {
          long last = tx.get(tx.size() - 1).revision();
          Map<String, String> context = Map.of();
          if (waiting != null) {
            waiting.headMap(last).clear(); // older commits, published by another instance
            var kept = waiting.get(last);
            context = kept == null ? Map.of() : kept;
          }
          TraceScope.Opened scope = traceScope.open(context);
          try {
            publisher.publish(database, tx, context);
          } finally {
            scope.close();
          }
          if (waiting != null) {
            waiting.remove(last);
          }
          published = last;
          if (!advance(key, published)) {
            return Optional.of(published); // lease lost: the new holder carries on
          }
        }
      }
    } finally {
      release(key);
    }
  }

  /** The watermark of {@code database}'s live generation (0 when nothing was published). */
  public long watermark(DatabaseName database) {
    var info = storage.findDatabase(database);
    if (info.isEmpty()) {
      return 0;
    }
    return published(EventItems.partition(database.value(), info.get().generation()));
  }

  /** The watermark stored under {@code key} (strongly consistent), 0 when none. */
  private long published(String key) {
    var item =
        client
            .getItem(
                b ->
                    b.tableName(storage.tables().publications())
                        .consistentRead(true)
                        .key(Map.of(DynamoDbSchema.PUB_PK, s(key))))
            .item();
    return publication(item).number("published", 0);
  }

  /** Takes the lease; returns the watermark, or null when another instance holds it. */
  private @Nullable Long acquire(String key) {
    long now = clock.millis();
    try {
      var response =
          client.updateItem(
              b ->
                  b.tableName(storage.tables().publications())
                      .key(Map.of(DynamoDbSchema.PUB_PK, s(key)))
                      .updateExpression("SET #o = :me, #u = :until")
                      .conditionExpression("attribute_not_exists(#o) OR #u < :now OR #o = :me")
                      .expressionAttributeNames(Map.of("#o", "owner", "#u", "until"))
                      .expressionAttributeValues(
                          Map.of(
                              ":me", s(settings.owner()),
                              ":until", n(now + settings.lease().toMillis()),
                              ":now", n(now)))
                      .returnValues("ALL_NEW"));
      return publication(response.attributes()).number("published", 0);
    } catch (ConditionalCheckFailedException e) {
      return null;
    }
  }

  private ItemReader publication(Map<String, AttributeValue> item) {
    return ItemReader.of(storage.tables().publications(), item, DynamoDbSchema.PUB_PK);
  }

  private boolean advance(String key, long published) {
    try {
      client.updateItem(
          b ->
              b.tableName(storage.tables().publications())
                  .key(Map.of(DynamoDbSchema.PUB_PK, s(key)))
                  .updateExpression("SET published = :p, #u = :until")
                  .conditionExpression("#o = :me")
                  .expressionAttributeNames(Map.of("#o", "owner", "#u", "until"))
                  .expressionAttributeValues(
                      Map.of(
                          ":p", n(published),
                          ":me", s(settings.owner()),
                          ":until", n(clock.millis() + settings.lease().toMillis()))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  private void release(String key) {
    try {
      client.updateItem(
          b ->
              b.tableName(storage.tables().publications())
                  .key(Map.of(DynamoDbSchema.PUB_PK, s(key)))
                  .updateExpression("REMOVE #o, #u")
                  .conditionExpression("#o = :me")
                  .expressionAttributeNames(Map.of("#o", "owner", "#u", "until"))
                  .expressionAttributeValues(Map.of(":me", s(settings.owner()))));
    } catch (ConditionalCheckFailedException e) {
      // lost it already
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "could not release publication lease " + key + "; it expires", e);
    }
  }

  /** Stops the sweep and pending rounds. */
  @Override
  public void close() {
    worker.shutdownNow();
  }
}
