package io.evidentsource.storage.dynamodb;

import static io.evidentsource.storage.dynamodb.EventItems.n;
import static io.evidentsource.storage.dynamodb.EventItems.s;

import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.EventPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Publishes every committed transaction, per database in revision order and at least once — an
 * outbox by revision watermark (docs/dynamodb.md#notifications, ADR 0006). Each database generation
 * has an item in the {@code publications} table with {@code published} (the highest revision
 * announced) and a lease ({@code owner}, {@code until}, epoch ms): only the lease holder publishes,
 * reading the log from the watermark up to the head, transaction by transaction, advancing the
 * watermark after each acknowledged publish. A crash between commit and publish leaves the
 * watermark behind the head; the next round of any instance publishes what is missing.
 *
 * <p><b>One lane per database.</b> Publishing rounds run on a bounded pool ({@link
 * Settings#threads()}), so databases publish in parallel, and at most one round per database runs
 * on an instance at a time, so each database publishes in order. A database gets a round when this
 * instance committed to it ({@link #committed}), when its round failed and its backoff ended, when
 * another instance's lease on it expires, and when the catch-up sweep finds it behind.
 *
 * <p><b>Cost when idle.</b> The sweep ({@link Settings#sweepInterval()}) reads the catalog and the
 * {@code publications} table with one paginated {@code Scan} each (one request per MB, about 6,000
 * databases) and compares heads with watermarks in memory; only a database behind its head gets a
 * round. No request is made per database while everything is announced.
 *
 * <p><b>Leases.</b> A holder renews its leases every third of {@link Settings#lease()} while it
 * publishes, so a slow publish (a Kafka acknowledgement) keeps its lease; after a crash the lease
 * lapses within one lease time. An instance that finds a database leased by another (after its own
 * commit, or in a sweep) tries again when that lease runs out, so it takes over within the lease
 * time, or within one sweep interval when it committed nothing there itself. A holder paused longer
 * than the lease can lose it while publishing; both may then publish the same transactions (each
 * watermark update is conditional on holding the lease, so the watermark never moves back).
 */
public final class NotificationRelay implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NotificationRelay.class.getName());

  /** Default number of databases one instance publishes at once. */
  public static final int DEFAULT_THREADS = 4;

  /** How long after another instance's lease ends this instance tries to take it over. */
  static final long TAKEOVER_MARGIN_MS = 100;

  /**
   * Relay settings.
   *
   * @param owner this instance's lease owner id, unique among instances (e.g. a random UUID)
   * @param lease how long a lease holds without renewal (renewed every third of it while held)
   * @param sweepInterval how often the catalog and the watermarks are compared to find databases
   *     behind (a crashed instance's commits)
   * @param eventsPerRound events read from the log at once (≥ 100, more than a transaction holds)
   * @param threads how many databases this instance publishes at once (1-256)
   */
  public record Settings(
      String owner, Duration lease, Duration sweepInterval, int eventsPerRound, int threads) {
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
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("threads must be in 1..256, was " + threads);
      }
    }

    /** Settings publishing {@link #DEFAULT_THREADS} databases at once. */
    public Settings(String owner, Duration lease, Duration sweepInterval, int eventsPerRound) {
      this(owner, lease, sweepInterval, eventsPerRound, DEFAULT_THREADS);
    }
  }

  private final DynamoDbStorageAdapter storage;
  private final DynamoDbClient client;
  private final EventPublisher publisher;
  private final Settings settings;
  private final Clock clock;
  private final ScheduledExecutorService sweeper;
  private final ScheduledExecutorService timer;
  private final ExecutorService pool;
  private final Map<DatabaseName, Lane> lanes = new ConcurrentHashMap<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Map<DatabaseName, Long> pending = new ConcurrentHashMap<>();
  private final AtomicLong errors = new AtomicLong();
  private final Map<DatabaseName, Failure> failures = new ConcurrentHashMap<>();
  private final Map<DatabaseName, ConcurrentSkipListMap<Long, Context>> contexts =
      new ConcurrentHashMap<>();

  /**
   * A commit's trace context waiting for its publication, under the commit's last revision.
   *
   * @param recordedTime the commit's recorded time when the context was registered before the write
   *     ({@link #committing}): the context goes only with the transaction of that time, not with
   *     another writer's that took the revision; null when registered after the commit
   * @param headers the W3C trace headers
   */
  private record Context(@Nullable Instant recordedTime, Map<String, String> headers) {
    boolean matches(List<StoredEvent> transaction) {
      return recordedTime == null || recordedTime.equals(transaction.get(0).recordedTime());
    }
  }

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
   * One database's publishing: at most one round at a time ({@code lock}); {@code again} asks the
   * holder (or the next taker) for one more round, so a request made during a round is not lost.
   */
  private static final class Lane {
    final DatabaseName database;
    final ReentrantLock lock = new ReentrantLock();
    final AtomicBoolean again = new AtomicBoolean();

    /** When the earliest timer of this lane fires (epoch ms), MAX_VALUE when none. */
    long timerAt = Long.MAX_VALUE;

    Lane(DatabaseName database) {
      this.database = database;
    }
  }

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
   * @param settings lease, sweep, batch and pool settings
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
    this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("evidentsource-relay-sweep"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("evidentsource-relay-timer"));
    this.pool = Executors.newFixedThreadPool(settings.threads(), daemon("evidentsource-relay"));
  }

  private static ThreadFactory daemon(String name) {
    var count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Starts the periodic catch-up sweep (the first one right away) and the renewal of the leases
   * this instance holds.
   */
  public void start() {
    long ms = settings.sweepInterval().toMillis();
    // both run until close() shuts their executors down; each catches and counts its failures
    var unused = sweeper.scheduleWithFixedDelay(this::sweepQuietly, 0, ms, TimeUnit.MILLISECONDS);
    long renew = Math.max(1, settings.lease().toMillis() / 3);
    var unusedRenewal =
        timer.scheduleWithFixedDelay(this::renewHeld, renew, renew, TimeUnit.MILLISECONDS);
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

  /** Asks for a publishing round of {@code database} soon (coalesced, on the relay's pool). */
  public void committed(DatabaseName database) {
    var unused = submit(lane(database));
  }

  /**
   * Asks for a publishing round of {@code database} soon, and publishes the transaction ending at
   * {@code revision} with {@code traceContext} (the committing request's W3C trace headers), kept
   * for at most {@value #MAX_CONTEXTS} unpublished commits per database. A round that ran between
   * the commit and this call (a sweep) has published the transaction without it; {@link
   * #committing} before the write closes that gap.
   */
  public void committed(DatabaseName database, long revision, Map<String, String> traceContext) {
    if (!traceContext.isEmpty()) {
      keep(database, revision, new Context(null, Map.copyOf(traceContext)));
    }
    committed(database);
  }

  /**
   * Registers the trace context of a transaction about to be written, so that whichever round
   * publishes it (this instance's sweep too, even before the write returned) publishes it with that
   * context (docs/operations.md#traces). Call it before the write, then {@link
   * #committed(DatabaseName)} when the write committed or its outcome is unknown, or {@link
   * #notCommitted} when it wrote nothing. Kept for at most {@value #MAX_CONTEXTS} unpublished
   * commits per database.
   *
   * @param revision the last revision the transaction will have if it commits
   * @param recordedTime the recorded time it is written with: the context goes only with the
   *     transaction of that revision and time, never with another writer's
   * @param traceContext the committing request's W3C trace headers; nothing is kept when empty
   */
  public void committing(
      DatabaseName database,
      long revision,
      Instant recordedTime,
      Map<String, String> traceContext) {
    if (!traceContext.isEmpty()) {
      keep(database, revision, new Context(recordedTime, Map.copyOf(traceContext)));
    }
  }

  /**
   * Drops what {@link #committing} registered for a write that wrote nothing (another writer moved
   * the head, a duplicate transaction, a failure), unless another commit replaced it since.
   */
  public void notCommitted(DatabaseName database, long revision, Instant recordedTime) {
    var waiting = contexts.get(database);
    if (waiting != null) {
      waiting.computeIfPresent(
          revision, (r, kept) -> recordedTime.equals(kept.recordedTime()) ? null : kept);
    }
  }

  private void keep(DatabaseName database, long revision, Context context) {
    var waiting = contexts.computeIfAbsent(database, d -> new ConcurrentSkipListMap<>());
    waiting.put(revision, context);
    while (waiting.size() > MAX_CONTEXTS) {
      waiting.pollFirstEntry();
    }
  }

  private Lane lane(DatabaseName database) {
    return lanes.computeIfAbsent(database, Lane::new);
  }

  /** Runs the lane's rounds on the pool; the future ends when this drain ends. */
  private Future<?> submit(Lane lane) {
    try {
      return pool.submit(() -> drain(lane));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(null); // closed
    }
  }

  /**
   * Runs rounds of the lane while one is asked for, unless another thread is running them (that
   * thread then runs the one asked for here).
   */
  private void drain(Lane lane) {
    lane.again.set(true);
    while (lane.again.get() && lane.lock.tryLock()) {
      try {
        while (lane.again.getAndSet(false)) {
          round(lane);
        }
      } finally {
        lane.lock.unlock();
      }
    }
  }

  /** One publishing round of the lane's database, under its lock; plans the next when needed. */
  private void round(Lane lane) {
    var database = lane.database;
    var failure = failures.get(database);
    if (failure != null && clock.millis() < failure.retryAt()) {
      later(lane, failure.retryAt()); // backing off
      return;
    }
    try {
      var round = publishRound(database);
      if (round.heldUntil() > 0) {
        later(lane, round.heldUntil() + TAKEOVER_MARGIN_MS); // take over when the lease ends
      } else {
        failures.remove(database);
      }
    } catch (RuntimeException e) {
      if (pool.isShutdown()) {
        return; // closed mid-round: the next start's sweep republishes from the watermark
      }
      later(lane, failed(database, e).retryAt());
    }
  }

  /** A round of the lane at {@code atMs} (epoch ms), unless an earlier one is planned. */
  private void later(Lane lane, long atMs) {
    synchronized (lane) {
      if (lane.timerAt <= atMs) {
        return;
      }
      lane.timerAt = atMs;
    }
    try {
      var unused =
          timer.schedule(
              () -> {
                synchronized (lane) {
                  if (lane.timerAt == atMs) {
                    lane.timerAt = Long.MAX_VALUE;
                  }
                }
                var unusedRound = submit(lane);
              },
              Math.max(0, atMs - clock.millis()),
              TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /**
   * One catch-up round: one {@code Scan} of the catalog and one of the {@code publications} table
   * (paginated), compared in memory; each database whose head is beyond its watermark gets a
   * publishing round on the pool, and the sweep returns once those rounds ran (a round already
   * running elsewhere on this instance takes the request over). A database whose round fails is
   * logged, counted and tried again after exponential backoff (the sweep interval doubled per
   * consecutive failure, at most {@link #MAX_BACKOFF}); it never delays another database (issue 11:
   * one unpublishable transaction must not delay other databases' catch-up).
   */
  public void sweep() {
    var listed = storage.listDatabases();
    var marks = watermarks();
    var names = listed.stream().map(DatabaseInfo::name).collect(Collectors.toSet());
    pending.keySet().retainAll(names);
    failures.keySet().retainAll(names);
    contexts.keySet().retainAll(names);
    lanes.values().removeIf(lane -> !names.contains(lane.database) && !lane.lock.isLocked());
    var rounds = new ArrayList<Future<?>>();
    for (DatabaseInfo info : listed) {
      long announced =
          marks.getOrDefault(EventItems.partition(info.name().value(), info.generation()), 0L);
      pending.put(info.name(), Math.max(0, info.revision() - announced));
      if (announced >= info.revision()) {
        failures.remove(info.name());
        continue;
      }
      rounds.add(submit(lane(info.name())));
    }
    for (var round : rounds) {
      try {
        round.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // closing
      } catch (ExecutionException e) {
        throw new IllegalStateException("publishing round failed", e.getCause());
      }
    }
  }

  /** Every watermark of the {@code publications} table by key (consistent, paginated Scan). */
  private Map<String, Long> watermarks() {
    var out = new HashMap<String, Long>();
    client
        .scanPaginator(
            b ->
                b.tableName(storage.tables().publications())
                    .consistentRead(true)
                    .projectionExpression("#k, published")
                    .expressionAttributeNames(Map.of("#k", DynamoDbSchema.PUB_PK)))
        .items()
        .forEach(
            item -> {
              var reader = publication(item);
              out.put(reader.string(DynamoDbSchema.PUB_PK), reader.number("published", 0));
            });
    return out;
  }

  /** The most a failing database waits between two publishing attempts. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /**
   * A database whose notifications could not be published.
   *
   * @param attempts consecutive failed rounds
   * @param retryAt epoch ms before which no round is tried
   * @param error the last failure's message
   */
  public record Failure(int attempts, long retryAt, String error) {}

  private Failure failed(DatabaseName database, RuntimeException e) {
    errors.incrementAndGet();
    var previous = failures.get(database);
    int attempts = previous == null ? 1 : previous.attempts() + 1;
    long backoff =
        Math.min(
            MAX_BACKOFF.toMillis(),
            settings.sweepInterval().toMillis() << Math.min(attempts - 1, 20));
    var failure = new Failure(attempts, clock.millis() + backoff, String.valueOf(e.getMessage()));
    failures.put(database, failure);
    LOG.log(
        Level.WARNING,
        "publishing database '"
            + database
            + "' failed ("
            + attempts
            + " in a row); other databases carry on, retry in "
            + backoff
            + " ms",
        e);
    return failure;
  }

  /** Databases whose last publishing round failed, with their failure. For metrics and the API. */
  public Map<DatabaseName, Failure> failures() {
    return Map.copyOf(failures);
  }

  /** {@code database}'s failure, if its last publishing round failed. For the API. */
  public Optional<Failure> failure(DatabaseName database) {
    return Optional.ofNullable(failures.get(database));
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      if (sweeper.isShutdown()) {
        return; // closed mid-sweep (the interrupt aborts the AWS call); nothing is lost
      }
      errors.incrementAndGet();
      LOG.log(Level.WARNING, "notification sweep failed; next sweep retries", e);
    }
  }

  /**
   * Publishes what {@code database} committed beyond its watermark, if this instance gets the
   * lease; waits for a round of it running on this instance to end first.
   *
   * @return the watermark reached, or empty when another instance holds the lease
   * @throws RuntimeException when publishing failed (the watermark stays at the last success)
   */
  public Optional<Long> publishPending(DatabaseName database) {
    var lane = lane(database);
    Round round;
    lane.lock.lock();
    try {
      round = publishRound(database);
    } finally {
      lane.lock.unlock();
      if (lane.again.get()) {
        var unused = submit(lane); // asked for while this call held the lane
      }
    }
    return round.heldUntil() > 0 ? Optional.empty() : Optional.of(round.watermark());
  }

  /**
   * What a round reached.
   *
   * @param watermark the watermark after the round
   * @param heldUntil when another instance's lease ends (epoch ms), 0 when this round held it or
   *     needed none
   */
  private record Round(long watermark, long heldUntil) {}

  private Round publishRound(DatabaseName database) {
    var found = storage.findDatabase(database);
    if (found.isEmpty()) {
      pending.remove(database);
      return new Round(0, 0);
    }
    long generation = found.get().generation();
    String key = EventItems.partition(database.value(), generation);
    long announced = published(key);
    pending.put(database, Math.max(0, found.get().revision() - announced));
    if (announced >= found.get().revision()) {
      return new Round(announced, 0); // nothing to do: no lease write
    }
    var lease = acquire(key);
    if (lease.heldUntil() > 0) {
      return lease;
    }
    long published = lease.watermark();
    held.add(key);
    try {
      while (true) {
        var info = storage.findDatabase(database);
        if (info.isEmpty() || info.get().generation() != generation) {
          return new Round(published, 0);
        }
        long head = info.get().revision();
        pending.put(database, Math.max(0, head - published));
        if (published >= head) {
          return new Round(published, 0);
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
            context = kept == null || !kept.matches(tx) ? Map.of() : kept.headers();
          }
          TraceScope.Opened scope = traceScope.open(context);
          try {
            publisher.publish(database, tx, context);
          } finally {
            scope.close();
          }
          if (waiting != null) {
            waiting.remove(last); // a context registered for another writer's commit goes too
          }
          published = last;
          if (!advance(key, published)) {
            return new Round(published, 0); // lease lost: the new holder carries on
          }
        }
      }
    } finally {
      held.remove(key);
      release(key);
    }
  }

  /** Renews every lease this instance holds (while it publishes). */
  private void renewHeld() {
    for (String key : held) {
      try {
        client.updateItem(
            b ->
                b.tableName(storage.tables().publications())
                    .key(Map.of(DynamoDbSchema.PUB_PK, s(key)))
                    .updateExpression("SET #u = :until")
                    .conditionExpression("#o = :me")
                    .expressionAttributeNames(Map.of("#o", "owner", "#u", "until"))
                    .expressionAttributeValues(
                        Map.of(
                            ":me", s(settings.owner()),
                            ":until", n(clock.millis() + settings.lease().toMillis()))));
      } catch (ConditionalCheckFailedException e) {
        // lost it: the round finds out at its next watermark update
      } catch (RuntimeException e) {
        if (timer.isShutdown()) {
          return;
        }
        LOG.log(Level.FINE, "could not renew publication lease " + key + "; retrying", e);
      }
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

  /**
   * Takes the lease: the watermark with {@code heldUntil} 0, or when another instance holds the
   * lease, when it ends.
   */
  private Round acquire(String key) {
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
                      .returnValues("ALL_NEW")
                      .returnValuesOnConditionCheckFailure(
                          ReturnValuesOnConditionCheckFailure.ALL_OLD));
      return new Round(publication(response.attributes()).number("published", 0), 0);
    } catch (ConditionalCheckFailedException e) {
      var holder = e.hasItem() ? publication(e.item()) : null;
      long until = holder == null ? 0 : holder.number("until", 0);
      long published = holder == null ? 0 : holder.number("published", 0);
      return new Round(published, Math.max(until, now + 1));
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

  /** Stops the sweep, the lease renewals and the publishing rounds. */
  @Override
  public void close() {
    sweeper.shutdownNow();
    timer.shutdownNow();
    pool.shutdownNow();
  }
}
