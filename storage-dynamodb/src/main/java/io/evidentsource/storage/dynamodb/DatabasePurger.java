package io.evidentsource.storage.dynamodb;

import static io.evidentsource.storage.dynamodb.EventItems.n;
import static io.evidentsource.storage.dynamodb.EventItems.s;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Removes the items of deleted database generations in the background, at a bounded rate
 * (docs/dynamodb.md#deleting-a-database). Deleting a database writes a purge job ({@link
 * Graveyard}); a purger takes the job's lease and removes, page by page, the generation's events
 * with their transaction records, its published components' items, its sealed index segments and
 * their summaries (ADR 0011), and its relay watermark, then the job. Every step deletes what a
 * query still finds, so a purge cut short (a crash, a restart, a lost lease) goes on where it
 * stopped when any instance next looks: at start, every {@link Settings#interval()}, and right
 * after a deletion on this instance. The S3 objects of the generation's large index segments
 * ({@link IndexSegmentBucket}) go too; other objects in S3 (module bytes, large event data) are
 * content-addressed and may be shared with other databases; they stay.
 *
 * <p>Deletes go out as {@code BatchWriteItem}s of at most 25 keys, paced so that one instance
 * removes at most {@link Settings#itemsPerSecond()} items per second (each a write unit of at least
 * 1 WCU); several instances may work on different jobs at once.
 */
public final class DatabasePurger implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DatabasePurger.class.getName());
  private static final int PAGE = 100;
  private static final int BATCH = 25;

  /** Default items removed per second by one instance. */
  public static final int DEFAULT_ITEMS_PER_SECOND = 100;

  /** Default interval between two looks for purge jobs. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  /** Default time a purge job's lease holds without renewal (renewed after every page). */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

  /**
   * Purge settings.
   *
   * @param owner this instance's lease owner id, unique among instances
   * @param itemsPerSecond the most items this instance deletes per second, 1-10,000
   * @param interval how often this instance looks for purge jobs (one {@code Scan} of the {@code
   *     publications} table each time)
   * @param lease how long a job's lease holds without renewal
   */
  public record Settings(String owner, int itemsPerSecond, Duration interval, Duration lease) {
    public Settings {
      Objects.requireNonNull(owner, "owner");
      if (itemsPerSecond < 1 || itemsPerSecond > 10_000) {
        throw new IllegalArgumentException(
            "itemsPerSecond must be in 1..10000, was " + itemsPerSecond);
      }
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive, was " + interval);
      }
      if (lease.isNegative() || lease.isZero()) {
        throw new IllegalArgumentException("lease must be positive, was " + lease);
      }
    }
  }

  /** One job: the generation {@code generation} of the database {@code name}. */
  record Job(String key, String name, long generation) {
    String partition() {
      return name + "#" + generation;
    }
  }

  private final DynamoDbClient client;
  private final DynamoDbTables tables;
  private final Settings settings;
  private final Clock clock;
  private final @Nullable IndexSegmentBucket segmentObjects;
  private final ScheduledExecutorService worker;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final AtomicLong purged = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private long nextFreeNanos = System.nanoTime();

  /**
   * @param client the client of the storage whose deleted databases to purge
   * @param tables that storage's tables
   * @param settings rate, interval and lease
   * @param clock the source of lease times
   */
  public DatabasePurger(
      DynamoDbClient client, DynamoDbTables tables, Settings settings, Clock clock) {
    this(client, tables, settings, clock, null);
  }

  /**
   * @param client the client of the storage whose deleted databases to purge
   * @param tables that storage's tables
   * @param settings rate, interval and lease
   * @param clock the source of lease times
   * @param segmentObjects where that storage keeps large index segments, whose objects of a deleted
   *     generation are removed too (each counted as an item), or null
   */
  public DatabasePurger(
      DynamoDbClient client,
      DynamoDbTables tables,
      Settings settings,
      Clock clock,
      @Nullable IndexSegmentBucket segmentObjects) {
    this.segmentObjects = segmentObjects;
    this.client = Objects.requireNonNull(client, "client");
    this.tables = Objects.requireNonNull(tables, "tables");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "evidentsource-purge");
              t.setDaemon(true);
              return t;
            });
  }

  /** Looks for purge jobs now and every {@link Settings#interval()}. */
  public void start() {
    long ms = settings.interval().toMillis();
    // runs until close(); purgeQuietly() catches and counts each failure
    var unused = worker.scheduleWithFixedDelay(this::purgeQuietly, 0, ms, TimeUnit.MILLISECONDS);
  }

  /** Asks for a purge round soon (a database was deleted on this instance). */
  public void wake() {
    if (!queued.compareAndSet(false, true)) {
      return;
    }
    try {
      worker.execute(
          () -> {
            queued.set(false);
            purgeQuietly();
          });
    } catch (RejectedExecutionException e) {
      queued.set(false); // closed
    }
  }

  /** Items removed by this instance since it started. For metrics and tests. */
  public long purged() {
    return purged.get();
  }

  /** Failed purge rounds since start (each is retried at the next round). For metrics. */
  public long errors() {
    return errors.get();
  }

  /**
   * The purge jobs not finished yet, by key (consistent {@code Scan} of the publications table).
   */
  public List<String> jobs() {
    return findJobs().stream().map(Job::key).toList();
  }

  private List<Job> findJobs() {
    var out = new ArrayList<Job>();
    client
        .scanPaginator(
            b ->
                b.tableName(tables.publications())
                    .consistentRead(true)
                    .filterExpression("begins_with(#k, :p)")
                    .expressionAttributeNames(Map.of("#k", DynamoDbSchema.PUB_PK))
                    .expressionAttributeValues(Map.of(":p", s(Graveyard.PURGE_PREFIX))))
        .items()
        .forEach(
            item -> {
              var r = ItemReader.of(tables.publications(), item, DynamoDbSchema.PUB_PK);
              out.add(
                  new Job(
                      r.string(DynamoDbSchema.PUB_PK), r.string("name"), r.number("generation")));
            });
    return out;
  }

  /**
   * One purge round: every job whose lease this instance gets is purged to the end.
   *
   * @return the jobs finished in this round
   */
  public int purgeAll() {
    int finished = 0;
    for (Job job : findJobs()) {
      if (!lease(job, true)) {
        continue; // another instance works on it
      }
      if (purge(job)) {
        finished++;
      }
    }
    return finished;
  }

  private void purgeQuietly() {
    try {
      purgeAll();
    } catch (RuntimeException e) {
      if (worker.isShutdown()) {
        return; // closed mid-round: the next start goes on
      }
      errors.incrementAndGet();
      LOG.log(Level.WARNING, "purging deleted databases failed; the next round goes on", e);
    }
  }

  /** Removes the job's items; false when its lease was lost on the way. */
  private boolean purge(Job job) {
    String partition = job.partition();
    // events, and the transaction records they name (first, so none is left without its events)
    while (true) {
      if (live(job)) {
        LOG.log(
            Level.SEVERE,
            "not purging {0}: that generation is live in the catalog (re-created by a version"
                + " that does not know purge jobs, see docs/deploy.md); the job stays",
            partition);
        return false;
      }
      var page =
          client.query(
              b ->
                  b.tableName(tables.events())
                      .consistentRead(true)
                      .keyConditionExpression("#pk = :pk")
                      .projectionExpression("#pk, #sk, #tx")
                      .expressionAttributeNames(
                          Map.of(
                              "#pk",
                              DynamoDbSchema.EV_PK,
                              "#sk",
                              DynamoDbSchema.EV_SK,
                              "#tx",
                              "tx"))
                      .expressionAttributeValues(Map.of(":pk", s(partition)))
                      .limit(PAGE));
      if (page.items().isEmpty()) {
        break;
      }
      var transactions = new LinkedHashMap<String, Map<String, AttributeValue>>();
      var events = new ArrayList<Map<String, AttributeValue>>();
      for (var item : page.items()) {
        var tx = item.get("tx");
        if (tx != null && tx.s() != null) {
          String key = partition + "#" + tx.s();
          transactions.putIfAbsent(key, Map.of(DynamoDbSchema.TX_PK, s(key)));
        }
        events.add(
            Map.of(
                DynamoDbSchema.EV_PK,
                item.get(DynamoDbSchema.EV_PK),
                DynamoDbSchema.EV_SK,
                item.get(DynamoDbSchema.EV_SK)));
      }
      delete(tables.transactions(), List.copyOf(transactions.values()));
      delete(tables.events(), events);
      if (!lease(job, false)) {
        return false;
      }
    }
    // published components of that generation (their module bytes in S3 may be shared: kept)
    for (String componentPartition :
        DynamoDbComponentRegistry.partitions(job.name(), job.generation())) {
      while (true) {
        var page =
            client.query(
                b ->
                    b.tableName(tables.components())
                        .consistentRead(true)
                        .keyConditionExpression("#pk = :pk")
                        .projectionExpression("#pk, #sk")
                        .expressionAttributeNames(
                            Map.of("#pk", DynamoDbSchema.CO_PK, "#sk", DynamoDbSchema.CO_SK))
                        .expressionAttributeValues(Map.of(":pk", s(componentPartition)))
                        .limit(PAGE));
        if (page.items().isEmpty()) {
          break;
        }
        delete(tables.components(), page.items());
        if (!lease(job, false)) {
          return false;
        }
      }
    }
    // its index segments kept in S3 (ADR 0011), by their generation's key prefix: before the
    // pointer items, so a purge cut short between the two still finds the items and ends
    var bucket = segmentObjects;
    if (bucket != null) {
      String objectPrefix = bucket.generationPrefix(job.name(), job.generation());
      while (true) {
        var keys = bucket.list(objectPrefix, PAGE);
        if (keys.isEmpty()) {
          break;
        }
        for (String objectKey : keys) {
          pace(1);
          bucket.delete(objectKey);
          purged.incrementAndGet();
        }
        if (!lease(job, false)) {
          return false;
        }
      }
    }
    // its sealed index segments (chunks, pointers) and their summaries (ADR 0011)
    for (String indexPartition :
        DynamoDbIndexSegmentStore.partitions(job.name(), job.generation())) {
      while (true) {
        var page =
            client.query(
                b ->
                    b.tableName(tables.indexes())
                        .consistentRead(true)
                        .keyConditionExpression("#pk = :pk")
                        .projectionExpression("#pk, #sk")
                        .expressionAttributeNames(
                            Map.of("#pk", DynamoDbSchema.IX_PK, "#sk", DynamoDbSchema.IX_SK))
                        .expressionAttributeValues(Map.of(":pk", s(indexPartition)))
                        .limit(PAGE));
        if (page.items().isEmpty()) {
          break;
        }
        delete(tables.indexes(), page.items());
        if (!lease(job, false)) {
          return false;
        }
      }
    }
    // the relay's watermark of that generation, then the job itself
    delete(tables.publications(), List.of(Map.of(DynamoDbSchema.PUB_PK, s(partition))));
    try {
      client.deleteItem(
          b ->
              b.tableName(tables.publications())
                  .key(Map.of(DynamoDbSchema.PUB_PK, s(job.key())))
                  .conditionExpression("#o = :me")
                  .expressionAttributeNames(Map.of("#o", "owner"))
                  .expressionAttributeValues(Map.of(":me", s(settings.owner()))));
    } catch (ConditionalCheckFailedException e) {
      return false; // another instance took it over; it finds nothing left and ends it
    }
    LOG.log(Level.FINE, "purged deleted database generation {0}", partition);
    return true;
  }

  /** Whether the catalog holds a live database of the job's name and generation. */
  private boolean live(Job job) {
    var response =
        client.getItem(
            b ->
                b.tableName(tables.databases())
                    .consistentRead(true)
                    .key(Map.of(DynamoDbSchema.DB_NAME, s(job.name()))));
    if (!response.hasItem()
        || response.item().isEmpty()
        || response.item().containsKey("deleted")) {
      return false;
    }
    return ItemReader.of(tables.databases(), response.item(), DynamoDbSchema.DB_NAME)
            .number("generation")
        == job.generation();
  }

  /** Takes ({@code take}) or renews the job's lease; false when another instance holds it. */
  private boolean lease(Job job, boolean take) {
    long now = clock.millis();
    var values = new LinkedHashMap<String, AttributeValue>();
    values.put(":me", s(settings.owner()));
    values.put(":until", n(now + settings.lease().toMillis()));
    String condition;
    if (take) {
      condition = "attribute_exists(#k) AND (attribute_not_exists(#o) OR #u < :now OR #o = :me)";
      values.put(":now", n(now));
    } else {
      condition = "attribute_exists(#k) AND #o = :me";
    }
    try {
      client.updateItem(
          b ->
              b.tableName(tables.publications())
                  .key(Map.of(DynamoDbSchema.PUB_PK, s(job.key())))
                  .updateExpression("SET #o = :me, #u = :until")
                  .conditionExpression(condition)
                  .expressionAttributeNames(
                      Map.of("#k", DynamoDbSchema.PUB_PK, "#o", "owner", "#u", "until"))
                  .expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /** Deletes these keys from {@code table}, 25 per request, at the configured rate. */
  private void delete(String table, List<Map<String, AttributeValue>> keys) {
    for (int from = 0; from < keys.size(); from += BATCH) {
      var chunk = keys.subList(from, Math.min(keys.size(), from + BATCH));
      pace(chunk.size());
      List<WriteRequest> requests =
          chunk.stream()
              .map(
                  key ->
                      WriteRequest.builder()
                          .deleteRequest(DeleteRequest.builder().key(key).build())
                          .build())
              .toList();
      for (int attempt = 0; !requests.isEmpty(); attempt++) {
        if (attempt > 0) {
          sleep(Math.min(1000, 20L << Math.min(attempt, 6)));
        }
        var pendingRequests = requests;
        var response = client.batchWriteItem(b -> b.requestItems(Map.of(table, pendingRequests)));
        requests = response.unprocessedItems().getOrDefault(table, List.of());
      }
      purged.addAndGet(chunk.size());
    }
  }

  /** Waits until {@code items} more deletes keep this instance within its rate. */
  private void pace(int items) {
    long now = System.nanoTime();
    long start = Math.max(now, nextFreeNanos);
    nextFreeNanos = start + items * 1_000_000_000L / settings.itemsPerSecond();
    if (start > now) {
      sleep(TimeUnit.NANOSECONDS.toMillis(start - now));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("purge interrupted", e);
    }
  }

  /** Stops purging; a job cut short goes on at the next round of any instance. */
  @Override
  public void close() {
    worker.shutdownNow();
  }
}
