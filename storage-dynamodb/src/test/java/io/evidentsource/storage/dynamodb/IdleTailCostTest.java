package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.SharedPollingNotifications;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.core.subscription.SubscriptionItem;
import io.evidentsource.core.subscription.SubscriptionOptions;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * Live tails on the DynamoDB storage do not read the database's head item each: one watcher per
 * database per instance reads it once per poll interval and wakes every tail, so N idle tails cost
 * the head reads of one, and a commit wakes them all without a read each. Head reads are counted on
 * the wire ({@code GetItem} on the databases table, an SDK {@link ExecutionInterceptor}) against
 * the rounds the watcher made meanwhile, not against a clock. Only the reads of the database under
 * test count: a database whose tails closed a moment ago stays watched for a few rounds (its
 * watcher is dropped after 10 idle intervals) and is read alongside.
 */
@Timeout(300)
class IdleTailCostTest {
  private static final Duration HEARTBEAT = Duration.ofMillis(300);

  /** Counts {@code GetItem} requests on one table, by database. */
  static final class HeadReads implements ExecutionInterceptor {
    private final String table;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    HeadReads(String table) {
      this.table = table;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof GetItemRequest get && table.equals(get.tableName())) {
        AttributeValue name = get.key().get(DynamoDbSchema.DB_NAME);
        if (name != null) {
          counts.computeIfAbsent(name.s(), d -> new AtomicLong()).incrementAndGet();
        }
      }
    }

    /** The head reads of {@code database} so far. */
    long of(DatabaseName database) {
      AtomicLong count = counts.get(database.value());
      return count == null ? 0 : count.get();
    }
  }

  private Storage storage;
  private HeadReads headReads;
  private EventStore store;
  private SubscriptionEngine engine;
  private ExecutorService threads;
  private final List<Subscription> open = new ArrayList<>();

  @BeforeEach
  void open() {
    var tables = DynamoDbFixture.freshTables();
    headReads = new HeadReads(tables.databases());
    storage =
        DynamoDbStorage.builder()
            .clientSettings(DynamoDbFixture.settings().withInterceptors(List.of(headReads)))
            .tables(tables)
            .componentsBucket(DynamoDbFixture.freshBucket())
            .createMissing(true)
            .build();
    store = EventStore.create(storage.log());
    threads = Executors.newCachedThreadPool();
    engine =
        new SubscriptionEngine(
            store,
            storage.notifications(),
            threads,
            new SubscriptionOptions(1024, Duration.ofSeconds(60), HEARTBEAT));
  }

  @AfterEach
  void close() {
    open.forEach(Subscription::close);
    threads.shutdownNow();
    storage.close();
  }

  private SharedPollingNotifications watcher() {
    return (SharedPollingNotifications) storage.notifications();
  }

  /** Reads of the head item and watcher rounds while idle tails wait. */
  record Window(long headReads, long rounds) {
    double readsPerRound() {
      return headReads / (double) rounds;
    }
  }

  private List<Subscription> tails(DatabaseName db, int n) {
    var tails = new ArrayList<Subscription>(n);
    for (int i = 0; i < n; i++) {
      var s = engine.subscribe(db, EventSelector.any(), null);
      tails.add(s);
      open.add(s);
    }
    return tails;
  }

  /** Takes {@code count} heartbeats from every tail (fails on anything else). */
  private static void heartbeats(List<Subscription> tails, int count) throws InterruptedException {
    for (var tail : tails) {
      for (int i = 0; i < count; i++) {
        SubscriptionItem item = tail.poll(Duration.ofSeconds(60));
        assertThat(item).isInstanceOf(SubscriptionItem.Heartbeat.class);
      }
    }
  }

  /** Idle tails waiting: the head reads and watcher rounds while each tail gets 3 heartbeats. */
  private Window idle(int n) throws InterruptedException {
    var db = TckFixtures.uniqueDatabase("idle");
    store.createDatabase(db);
    store.transact(db, Transaction.of(TckFixtures.events(1)));
    var tails = tails(db, n);
    heartbeats(tails, 1); // every reader is past its start and waiting
    long reads = headReads.of(db);
    long rounds = watcher().rounds();
    heartbeats(tails, 3);
    var w = new Window(headReads.of(db) - reads, watcher().rounds() - rounds);
    tails.forEach(Subscription::close);
    return w;
  }

  @Test
  void idle_tails_on_one_database_cost_the_head_reads_of_one() throws InterruptedException {
    Window one = idle(1);
    Window many = idle(200);

    System.out.printf(
        "idle tails: 1 tail %d head reads in %d rounds (%.2f/round); 200 tails %d head reads in"
            + " %d rounds (%.2f/round), heartbeat %d ms, poll interval %d ms%n",
        one.headReads(),
        one.rounds(),
        one.readsPerRound(),
        many.headReads(),
        many.rounds(),
        many.readsPerRound(),
        HEARTBEAT.toMillis(),
        DynamoDbStorage.DEFAULT_POLL_INTERVAL.toMillis());
    // each round reads the database once, whatever the number of tails; heartbeats read nothing
    // (a round may straddle the window's edges: one read more or less)
    assertThat(one.rounds()).isGreaterThanOrEqualTo(3);
    assertThat(many.rounds()).isGreaterThanOrEqualTo(3);
    assertThat(one.headReads()).isBetween(one.rounds() - 1, one.rounds() + 1);
    assertThat(many.headReads()).isBetween(many.rounds() - 1, many.rounds() + 1);
  }

  @Test
  void a_commit_wakes_every_tail_from_the_watchers_read() throws InterruptedException {
    int n = 200;
    var db = TckFixtures.uniqueDatabase("wake");
    store.createDatabase(db);
    var tails = tails(db, n);
    heartbeats(tails, 1);
    long reads = headReads.of(db);
    long rounds = watcher().rounds();

    long revision = store.transact(db, Transaction.of(TckFixtures.events(1))).revision();
    for (var tail : tails) {
      SubscriptionItem item;
      do {
        item = tail.poll(Duration.ofSeconds(60));
        assertThat(item).isNotNull().isNotInstanceOf(SubscriptionItem.Ended.class);
      } while (!(item instanceof SubscriptionItem.Delivered));
      assertThat(((SubscriptionItem.Delivered) item).event().revision()).isEqualTo(revision);
    }

    long headReadsMeanwhile = headReads.of(db) - reads;
    long roundsMeanwhile = watcher().rounds() - rounds;
    System.out.printf(
        "a commit with %d tails waiting: %d head reads (%.2f per tail) in %d watcher rounds%n",
        n, headReadsMeanwhile, headReadsMeanwhile / (double) n, roundsMeanwhile);
    // the woken tails take the head from the watcher and query at it (a catalog read each, and
    // one more for the query's snapshot, would add 2n); what is left per tail is the log's own
    // generation check when it reads the events, plus the append's reads and one per round
    assertThat(headReadsMeanwhile).isLessThanOrEqualTo(n + roundsMeanwhile + 10);
  }
}
