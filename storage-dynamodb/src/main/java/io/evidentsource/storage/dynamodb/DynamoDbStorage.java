package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The DynamoDB storage module assembled (docs/dynamodb.md, ADR 0006, ADR 0007): the shared log on
 * the tables {@code {prefix}-*}, published components in the {@code -components} table and an S3
 * bucket, change notifications by polling the catalog, and, when given an {@link EventPublisher},
 * the {@link NotificationRelay} that announces every commit at least once in revision order per
 * database. {@code storage-dynamodb-sns} and {@code storage-dynamodb-kafka} add their publishers.
 *
 * <p>{@link Builder#build()} checks (or creates) the tables and the bucket, starts the relay and
 * the {@link DatabasePurger} and returns a running {@link Storage}; closing it stops them, then
 * closes the publisher's resources and the clients the builder created. Any number of processes may
 * share the tables and the bucket ({@link
 * io.evidentsource.core.port.StorageCapabilities#sharedAcrossInstances()}).
 */
public final class DynamoDbStorage {
  /** Default pause between two reads of the catalog by a waiting live tail. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);

  /**
   * Default time a relay lease holds without renewal (renewed every third of it while held), so a
   * crashed holder's databases are taken over within about this time.
   */
  public static final Duration DEFAULT_PUBLISH_LEASE = Duration.ofSeconds(3);

  /**
   * Default interval of the relay's catch-up sweep (one {@code Scan} of the catalog and one of the
   * watermarks, whatever the number of databases).
   */
  public static final Duration DEFAULT_PUBLISH_SWEEP = Duration.ofSeconds(2);

  /** Default number of events the relay reads from the log at once. */
  public static final int DEFAULT_RELAY_EVENTS_PER_ROUND = 500;

  private DynamoDbStorage() {}

  /** A builder with the defaults above, no publisher, and tables prefixed {@code evidentsource}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a DynamoDB storage; {@link #build()} assembles and starts it. */
  public static final class Builder {
    private DynamoDbClients.@Nullable Settings clientSettings;
    private @Nullable DynamoDbClient dynamoDb;
    private @Nullable S3Client s3;
    private DynamoDbTables tables = new DynamoDbTables("evidentsource");
    private @Nullable String componentsBucket;
    private boolean createMissing;
    private int cachedEvents = DynamoDbStorageAdapter.DEFAULT_CACHED_EVENTS;
    private int groupCommitTransactions = DynamoDbStorageAdapter.MAX_GROUP_TRANSACTIONS;
    private int largeDataBytes = EventDataBucket.DEFAULT_THRESHOLD;
    private @Nullable EventPublisher publisher;
    private final List<AutoCloseable> publisherResources = new ArrayList<>();
    private String relayOwner = UUID.randomUUID().toString();
    private Duration publishLease = DEFAULT_PUBLISH_LEASE;
    private Duration publishSweep = DEFAULT_PUBLISH_SWEEP;
    private int relayEventsPerRound = DEFAULT_RELAY_EVENTS_PER_ROUND;
    private int publishThreads = NotificationRelay.DEFAULT_THREADS;
    private int purgeRate = DatabasePurger.DEFAULT_ITEMS_PER_SECOND;
    private Duration purgeInterval = DatabasePurger.DEFAULT_INTERVAL;
    private Supplier<Map<String, String>> traceContext = Map::of;
    private NotificationRelay.TraceScope traceScope = NotificationRelay.TraceScope.NONE;
    private Consumer<NotificationRelay> relayStarted = relay -> {};
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Connect with these settings: the storage creates its DynamoDB and S3 clients and closes them
     * when it closes. Publishers of other AWS services may read them back ({@link
     * #clientSettings()}).
     */
    public Builder clientSettings(DynamoDbClients.Settings settings) {
      this.clientSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The connection settings given to {@link #clientSettings(DynamoDbClients.Settings)}. */
    public DynamoDbClients.Settings clientSettings() {
      var settings = clientSettings;
      if (settings == null) {
        throw new IllegalStateException("no client settings: call clientSettings(settings) first");
      }
      return settings;
    }

    /**
     * Use these clients instead of creating them (they take precedence over {@link
     * #clientSettings}); the caller closes them.
     */
    public Builder clients(DynamoDbClient dynamoDb, S3Client s3) {
      this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
      this.s3 = Objects.requireNonNull(s3, "s3");
      return this;
    }

    /** The table names (default prefix {@code evidentsource}). */
    public Builder tables(DynamoDbTables tables) {
      this.tables = Objects.requireNonNull(tables, "tables");
      return this;
    }

    /** The S3 bucket for the modules of published components (required). */
    public Builder componentsBucket(String bucket) {
      this.componentsBucket = Objects.requireNonNull(bucket, "bucket");
      return this;
    }

    /**
     * Create missing tables (on-demand capacity) and the bucket at start (default false: a missing
     * one fails {@link #build()} with a {@link DynamoDbSetupException} naming it).
     */
    public Builder createMissing(boolean create) {
      this.createMissing = create;
      return this;
    }

    /** Committed events kept in memory by this process, 0 for none (default 20,000). */
    public Builder cachedEvents(int events) {
      if (events < 0) {
        throw new IllegalArgumentException("cachedEvents must be >= 0, was " + events);
      }
      this.cachedEvents = events;
      return this;
    }

    /**
     * Group commit (docs/dynamodb.md#group-commit): the most transactions of one database this
     * process writes in one {@code TransactWriteItems}, 1 to {@link
     * DynamoDbStorageAdapter#MAX_GROUP_TRANSACTIONS} (the default); 1 turns group commit off.
     */
    public Builder groupCommitTransactions(int transactions) {
      if (transactions < 1 || transactions > DynamoDbStorageAdapter.MAX_GROUP_TRANSACTIONS) {
        throw new IllegalArgumentException(
            "groupCommitTransactions must be 1 to "
                + DynamoDbStorageAdapter.MAX_GROUP_TRANSACTIONS
                + ", was "
                + transactions);
      }
      this.groupCommitTransactions = transactions;
      return this;
    }

    /**
     * Event data larger than this many bytes is kept in the components bucket under {@code
     * {table-prefix}/data/} and referenced from the event's item (docs/dynamodb.md#large-events); 1
     * to {@link EventDataBucket#MAX_THRESHOLD} (default 300 KB).
     */
    public Builder largeDataBytes(int bytes) {
      if (bytes < 1 || bytes > EventDataBucket.MAX_THRESHOLD) {
        throw new IllegalArgumentException(
            "largeDataBytes must be in 1.." + EventDataBucket.MAX_THRESHOLD + ", was " + bytes);
      }
      this.largeDataBytes = bytes;
      return this;
    }

    /**
     * Announce every commit through this publisher, by a {@link NotificationRelay} the storage
     * starts and stops. Without one, commits are stored but not announced.
     */
    public Builder publisher(EventPublisher publisher) {
      this.publisher = Objects.requireNonNull(publisher, "publisher");
      return this;
    }

    /**
     * Closes {@code resource} (a publisher's client or producer) when the storage closes, after the
     * relay has stopped; also when {@link #build()} fails.
     */
    public Builder closeWithStorage(AutoCloseable resource) {
      publisherResources.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    /**
     * Reads the committing request's W3C trace headers ({@code traceparent}, {@code tracestate}) on
     * the committing thread; the relay publishes each transaction with them (default none).
     */
    public Builder traceContext(Supplier<Map<String, String>> traceContext) {
      this.traceContext = Objects.requireNonNull(traceContext, "traceContext");
      return this;
    }

    /**
     * Opened by the relay around each transaction's publish with the trace context read by {@link
     * #traceContext}, so the publisher's client spans continue the committing request's trace
     * (default none).
     */
    public Builder traceScope(NotificationRelay.TraceScope traceScope) {
      this.traceScope = Objects.requireNonNull(traceScope, "traceScope");
      return this;
    }

    /** Called with the relay once it runs (for its metrics: pending revisions, errors). */
    public Builder onRelayStarted(Consumer<NotificationRelay> listener) {
      this.relayStarted = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** This process's relay lease owner id, unique among processes (default a random UUID). */
    public Builder relayOwner(String owner) {
      this.relayOwner = Objects.requireNonNull(owner, "owner");
      return this;
    }

    /** How long a relay lease holds without renewal (default 3 s). */
    public Builder publishLease(Duration lease) {
      this.publishLease = positive(lease, "publishLease");
      return this;
    }

    /**
     * How often the relay compares every database's head with its watermark to find unannounced
     * commits, e.g. a crashed instance's (default 2 s).
     */
    public Builder publishSweep(Duration sweep) {
      this.publishSweep = positive(sweep, "publishSweep");
      return this;
    }

    /** How many databases the relay of this process publishes at once, 1-256 (default 4). */
    public Builder publishThreads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("publishThreads must be in 1..256, was " + threads);
      }
      this.publishThreads = threads;
      return this;
    }

    /** Events the relay reads from the log at once, ≥ 100 (default 500). */
    public Builder relayEventsPerRound(int events) {
      if (events < 100) {
        throw new IllegalArgumentException("relayEventsPerRound must be >= 100, was " + events);
      }
      this.relayEventsPerRound = events;
      return this;
    }

    /**
     * Items of deleted databases this process removes per second, 0-10,000 (default 100; 0: this
     * process purges nothing, another may; docs/dynamodb.md#deleting-a-database).
     */
    public Builder purgeRate(int itemsPerSecond) {
      if (itemsPerSecond < 0 || itemsPerSecond > 10_000) {
        throw new IllegalArgumentException("purgeRate must be in 0..10000, was " + itemsPerSecond);
      }
      this.purgeRate = itemsPerSecond;
      return this;
    }

    /** How often this process looks for deleted databases left to purge (default 30 s). */
    public Builder purgeInterval(Duration interval) {
      this.purgeInterval = positive(interval, "purgeInterval");
      return this;
    }

    /** Pause between two catalog reads of a waiting live tail (default 100 ms). */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = positive(interval, "pollInterval");
      return this;
    }

    /** The source of relay lease times (default the UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }

    /**
     * Checks or creates the tables and the bucket, starts the relay, and returns the running
     * storage.
     *
     * @throws DynamoDbSetupException when a table or the bucket is missing or not as expected
     * @throws IllegalStateException when neither clients nor client settings nor a components
     *     bucket were given
     */
    public Storage build() {
      String bucket = componentsBucket;
      if (bucket == null) {
        throw new IllegalStateException(
            "a DynamoDB storage needs a components bucket: call componentsBucket(name)");
      }
      var owned = new ArrayList<AutoCloseable>(publisherResources);
      try {
        DynamoDbClient dynamo = dynamoDb;
        S3Client objects = s3;
        if (dynamo == null || objects == null) {
          var settings = clientSettings();
          dynamo = DynamoDbClients.dynamoDb(settings);
          owned.add(dynamo);
          objects = DynamoDbClients.s3(settings);
          owned.add(objects);
        }
        DynamoDbSchema.ensure(dynamo, tables, createMissing);
        ComponentBucket.ensure(objects, bucket, createMissing);
        var log =
            new DynamoDbStorageAdapter(
                dynamo,
                tables,
                cachedEvents,
                new EventDataBucket(objects, bucket, tables.prefix(), largeDataBytes),
                groupCommitTransactions);
        var segmentObjects = new IndexSegmentBucket(objects, bucket, tables.prefix());
        if (purgeRate > 0) {
          var purger =
              new DatabasePurger(
                  dynamo,
                  tables,
                  new DatabasePurger.Settings(
                      relayOwner, purgeRate, purgeInterval, DatabasePurger.DEFAULT_LEASE),
                  clock,
                  segmentObjects);
          owned.add(purger);
          log.onDeleted(name -> purger.wake());
          purger.start();
        }
        var storage =
            Storage.builder(withRelay(log, dynamo, owned))
                .pollingNotifications(pollInterval)
                .components(new DynamoDbComponentRegistry(dynamo, tables, objects, bucket))
                .indexSegments(new DynamoDbIndexSegmentStore(dynamo, tables, segmentObjects))
                .sharedAcrossInstances(true);
        for (AutoCloseable resource : owned) {
          storage.onClose(resource);
        }
        return storage.build();
      } catch (RuntimeException e) {
        closeAll(owned, e);
        throw e;
      }
    }

    /** The log the core uses: announcing commits when there is a publisher. */
    private StorageAdapter withRelay(
        DynamoDbStorageAdapter log, DynamoDbClient dynamo, List<AutoCloseable> owned) {
      EventPublisher announce = publisher;
      if (announce == null) {
        return log;
      }
      var relay =
          new NotificationRelay(
              log,
              dynamo,
              announce,
              new NotificationRelay.Settings(
                  relayOwner, publishLease, publishSweep, relayEventsPerRound, publishThreads),
              clock,
              traceScope);
      owned.add(relay);
      relay.start();
      relayStarted.accept(relay);
      return new PublishingStorageAdapter(log, relay, traceContext);
    }

    /** Closes in reverse order after a failed build, keeping the first failure. */
    private static void closeAll(List<AutoCloseable> resources, RuntimeException failure) {
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception e) {
          failure.addSuppressed(e);
        }
      }
    }
  }
}
