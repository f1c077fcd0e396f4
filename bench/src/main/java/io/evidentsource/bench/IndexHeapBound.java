package io.evidentsource.bench;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Shows that, with index segments on (ADR 0011), an instance serving many large databases keeps its
 * index heap within {@code evidentsource.index.cache-bytes}: the {@link
 * EventStore#indexCacheBytes()} gauge after every read and the heap used after a full GC.
 *
 * <p>The log is synthesized from the revision (no events held in heap, as on DynamoDB), the
 * segments are in an in-memory segment store (their compressed bytes are counted and reported
 * apart). First one instance reads every database once, sealing its segments (its own cache bounded
 * too), then a new instance with the bound answers random reads on random databases: a subject's
 * 100 newest events, a {@code max} condition on a subject, a prefix query's first 100, a forward
 * page from a random revision, an {@code as_of_transaction_time} read.
 *
 * <p>Options: {@code --databases D} (100), {@code --events N} per database (100000), {@code
 * --segment S} (10000), {@code --cache-mb M} (64), {@code --reads R} (2000). Run with a small heap,
 * e.g. {@code java -Xmx512m -cp bench/target/benchmarks.jar io.evidentsource.bench.IndexHeapBound}.
 */
public final class IndexHeapBound {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private IndexHeapBound() {}

  public static void main(String[] args) {
    int databases = 100;
    int events = 100_000;
    int segment = 10_000;
    long cacheMb = 64;
    int reads = 2_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--databases" -> databases = Integer.parseInt(args[i + 1]);
        case "--events" -> events = Integer.parseInt(args[i + 1]);
        case "--segment" -> segment = Integer.parseInt(args[i + 1]);
        case "--cache-mb" -> cacheMb = Long.parseLong(args[i + 1]);
        case "--reads" -> reads = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    long bound = cacheMb << 20;
    var log = new SyntheticLog(databases, events);
    var segments = new CountingStore(IndexSegmentStore.inMemory());
    var config = new IndexSegments(segments, segment, Runnable::run);
    System.out.printf(
        "%d databases x %,d events, segments of %,d, cache-bytes %d MB, max heap %d MB%n",
        databases, events, segment, cacheMb, Runtime.getRuntime().maxMemory() >> 20);

    long start = System.nanoTime();
    var sealer = store(log, config, bound);
    long maxGauge = 0;
    for (int d = 0; d < databases; d++) {
      sealer.query(SyntheticLog.name(d), EventQuery.of(EventSelector.any()).withLimit(1));
      maxGauge = Math.max(maxGauge, sealer.indexCacheBytes());
    }
    System.out.printf(
        "sealed: %.0f s, %,d segment bytes stored (%.1f per event), sealing instance's gauge max"
            + " %,d bytes%n",
        (System.nanoTime() - start) / 1e9,
        segments.bytes.get(),
        segments.bytes.get() / ((double) databases * events),
        maxGauge);

    var instance = store(log, config, bound);
    var random = new Random(7);
    maxGauge = 0;
    long reads0 = segments.reads.get();
    start = System.nanoTime();
    for (int i = 0; i < reads; i++) {
      var db = SyntheticLog.name(random.nextInt(databases));
      var subject = EventSelector.subject("order-" + random.nextInt(SyntheticLog.SUBJECTS));
      switch (i % 5) {
        case 0 ->
            instance.query(
                db, EventQuery.of(subject).withDirection(Direction.BACKWARD).withLimit(100));
        case 1 ->
            instance.checkConditions(
                instance.database(db), List.of(AppendCondition.max(subject, 0)));
        case 2 ->
            instance.query(
                db,
                EventQuery.of(EventSelector.startsWith(Attribute.SUBJECT, "order-1"))
                    .withLimit(100));
        case 3 ->
            instance.query(
                db,
                EventQuery.of(EventSelector.any())
                    .withRange(1L + random.nextInt(events), Long.MAX_VALUE)
                    .withLimit(100));
        default ->
            instance.query(
                db,
                EventQuery.of(subject)
                    .withAsOfTransactionTime(T0.plusMillis(random.nextInt(events)))
                    .withLimit(10));
      }
      maxGauge = Math.max(maxGauge, instance.indexCacheBytes());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.gc();
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf(
        "%d random reads in %.0f s: %,d segments read from the store; index cache gauge max %,d"
            + " bytes (bound %,d), now %,d; heap used after GC %d MB (of which %d MB the segment"
            + " store's bytes)%n",
        reads,
        seconds,
        segments.reads.get() - reads0,
        maxGauge,
        bound,
        instance.indexCacheBytes(),
        used >> 20,
        segments.bytes.get() >> 20);
  }

  private static EventStore store(StorageAdapter log, IndexSegments segments, long bound) {
    return new EventStore(
        log,
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10),
        EventStoreObserver.NONE,
        segments,
        bound);
  }

  /** Counts the bytes stored and the segments read. */
  private static final class CountingStore implements IndexSegmentStore {
    final IndexSegmentStore store;
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong reads = new AtomicLong();

    CountingStore(IndexSegmentStore store) {
      this.store = store;
    }

    @Override
    public boolean putIfAbsent(Key key, byte[] segment, byte @Nullable [] summary) {
      boolean put = store.putIfAbsent(key, segment, summary);
      if (put) {
        bytes.addAndGet(segment.length + (summary == null ? 0 : summary.length));
      }
      return put;
    }

    @Override
    public void replace(Key key, byte[] segment, byte @Nullable [] summary) {
      store.replace(key, segment, summary);
    }

    @Override
    public Optional<byte[]> get(Key key) {
      reads.incrementAndGet();
      return store.get(key);
    }

    @Override
    public NavigableMap<Long, byte[]> summaries(DatabaseName database, long generation) {
      return store.summaries(database, generation);
    }

    @Override
    public int maxSegmentBytes() {
      return store.maxSegmentBytes();
    }
  }

  /**
   * A read-only log of {@code events} events per database computed from the revision: 1,000
   * subjects, 3 streams, 5 types, 7 tags, one commit time per 25 events, 1 ms apart.
   */
  private static final class SyntheticLog implements StorageAdapter {
    static final int SUBJECTS = 1_000;
    final int databases;
    final int events;

    SyntheticLog(int databases, int events) {
      this.databases = databases;
      this.events = events;
    }

    static DatabaseName name(int d) {
      return new DatabaseName("db-" + d);
    }

    private DatabaseInfo info(DatabaseName name) {
      return new DatabaseInfo(name, 1, T0, events, recorded(events));
    }

    private static Instant recorded(long r) {
      return T0.plusMillis((r - 1) / 25);
    }

    private static StoredEvent event(long r) {
      var e =
          Event.builder()
              .id("e" + r)
              .source("https://example.com/orders/" + (r % 3))
              .type("Order" + (r % 5))
              .subject("order-" + (r * 7919 % SUBJECTS))
              .tags("shop:" + (r % 7))
              .jsonData("{\"n\":" + r + "}")
              .build();
      return new StoredEvent(r, recorded(r), e);
    }

    @Override
    public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
      throw new UnsupportedOperationException("read-only log");
    }

    @Override
    public boolean deleteDatabase(DatabaseName name, @Nullable String deleteKey) {
      throw new UnsupportedOperationException("read-only log");
    }

    @Override
    public List<DatabaseInfo> listDatabases() {
      var out = new ArrayList<DatabaseInfo>();
      for (int d = 0; d < databases; d++) {
        out.add(info(name(d)));
      }
      return out;
    }

    @Override
    public Optional<DatabaseInfo> findDatabase(DatabaseName name) {
      return Optional.of(info(name));
    }

    @Override
    public AppendOutcome append(AppendRequest request) {
      throw new UnsupportedOperationException("read-only log");
    }

    @Override
    public List<StoredEvent> readRange(
        DatabaseName database, long generation, long fromRevision, long toRevision) {
      var out = new ArrayList<StoredEvent>();
      for (long r = fromRevision; r <= Math.min(toRevision, events); r++) {
        out.add(event(r));
      }
      return out;
    }

    @Override
    public List<StoredEvent> readRevisions(
        DatabaseName database, long generation, long[] revisions) {
      var out = new ArrayList<StoredEvent>();
      for (long r : revisions) {
        out.add(event(r));
      }
      return out;
    }

    @Override
    public Optional<TransactionResult> findTransaction(
        DatabaseName database, long generation, UUID transactionId) {
      return Optional.empty();
    }

    @Override
    public Optional<TransactionRecord> readTransaction(
        DatabaseName database, long generation, UUID transactionId) {
      return Optional.empty();
    }
  }
}
