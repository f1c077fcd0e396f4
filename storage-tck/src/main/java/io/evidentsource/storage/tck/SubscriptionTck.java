package io.evidentsource.storage.tck;

import static io.evidentsource.storage.tck.TckFixtures.uniqueDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.core.subscription.SubscriptionItem;
import io.evidentsource.core.subscription.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live subscriptions over an adapter's {@link ChangeNotifications}: catch-up then live, every
 * matching revision exactly once and in order while many threads append, heartbeats, slow consumers
 * cut off, deletion ends the subscription.
 */
public abstract class SubscriptionTck {
  private static final Duration POLL = Duration.ofMillis(100);

  private final ExecutorService readers = Executors.newCachedThreadPool();
  private final ExecutorService workers = Executors.newCachedThreadPool();

  /** A ready adapter; may be shared between tests (names are unique). */
  protected abstract StorageAdapter adapter();

  /** The adapter's change notifications (often the adapter itself). */
  protected abstract ChangeNotifications notifications();

  @AfterEach
  void stopThreads() throws InterruptedException {
    workers.shutdownNow();
    readers.shutdownNow();
    assertThat(readers.awaitTermination(10, TimeUnit.SECONDS))
        .as("subscription readers stop when closed")
        .isTrue();
  }

  private SubscriptionEngine engine(EventStore store, SubscriptionOptions options) {
    return new SubscriptionEngine(store, notifications(), readers, options);
  }

  private static Event event(int writer, int n) {
    return Event.builder()
        .id("w" + writer + "-" + n)
        .source("https://example.com/writer/" + writer)
        .type("com.example.tck.counted")
        .subject("writer-" + writer)
        .jsonData("{\"n\":" + n + "}")
        .build();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void subscribers_started_before_and_during_concurrent_appends_see_every_revision_once_in_order()
      throws Exception {
    var store = EventStore.create(adapter());
    DatabaseName db = uniqueDatabase("live");
    store.createDatabase(db);
    // short heartbeats: a collector knows it has seen everything once a heartbeat reports the
    // final head (a heartbeat means every revision up to it was examined)
    var engine =
        engine(store, new SubscriptionOptions(1024, Duration.ofSeconds(30), Duration.ofMillis(50)));
    int writers = 4;
    int transactionsPerWriter = 40;
    var finalHead = new AtomicLong(Long.MAX_VALUE);
    var writer1 = EventSelector.subject("writer-1");

    List<Collector> collectors = new ArrayList<>();
    collectors.add(collect(engine.subscribe(db, EventSelector.any(), 1L), 1, false, finalHead));
    collectors.add(collect(engine.subscribe(db, writer1, 1L), 1, true, finalHead));

    var halfway = new CountDownLatch(writers * transactionsPerWriter / 2);
    List<Future<?>> appenders = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      appenders.add(
          workers.submit(
              () -> {
                for (int i = 0; i < transactionsPerWriter; i++) {
                  int size = 1 + i % 3;
                  var batch = new ArrayList<Event>();
                  for (int k = 0; k < size; k++) {
                    batch.add(event(writer, i * 3 + k));
                  }
                  store.transact(db, Transaction.of(batch));
                  halfway.countDown();
                }
                return null;
              }));
    }
    halfway.await();
    // started while the appends run: from the start, from the middle, and from "now"
    long middle = store.database(db).revision();
    collectors.add(collect(engine.subscribe(db, EventSelector.any(), 1L), 1, false, finalHead));
    collectors.add(
        collect(engine.subscribe(db, EventSelector.any(), middle), middle, false, finalHead));
    collectors.add(collect(engine.subscribe(db, writer1, middle), middle, true, finalHead));
    var fromNow = collect(engine.subscribe(db, EventSelector.any(), null), 1, false, finalHead);
    for (var f : appenders) {
      f.get();
    }
    long head = store.database(db).revision();
    finalHead.set(head);

    List<Long> all = revisions(store.query(db, EventQuery.all().withLimit(1000)).events());
    assertThat(all).hasSize((int) head);
    List<Long> ofWriter1 =
        revisions(store.query(db, EventQuery.of(writer1).withLimit(1000)).events());
    assertThat(ofWriter1).isNotEmpty();
    for (var c : collectors) {
      var expected = c.onlyWriter1 ? ofWriter1 : all;
      assertThat(c.result())
          .as("subscriber from revision %d%s", c.from, c.onlyWriter1 ? " (writer-1 only)" : "")
          .isEqualTo(expected.stream().filter(r -> r >= c.from).toList());
    }
    // "now" is some moment during the appends: whatever it saw is the log from there to the end
    List<Long> live = fromNow.result();
    if (!live.isEmpty()) {
      assertThat(live).isEqualTo(all.subList((int) (live.get(0) - 1), (int) head));
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void a_subscription_from_now_skips_what_was_committed_before_it() throws Exception {
    var store = EventStore.create(adapter());
    DatabaseName db = uniqueDatabase("now");
    store.createDatabase(db);
    store.transact(db, Transaction.of(TckFixtures.events(3)));
    try (var sub =
        engine(store, SubscriptionOptions.defaults()).subscribe(db, EventSelector.any(), null)) {
      store.transact(db, Transaction.of(TckFixtures.events(2)));
      assertThat(revisionOf(next(sub))).isEqualTo(4);
      assertThat(revisionOf(next(sub))).isEqualTo(5);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void an_idle_subscription_sends_heartbeats_with_the_head_revision() throws Exception {
    var store = EventStore.create(adapter());
    DatabaseName db = uniqueDatabase("beat");
    store.createDatabase(db);
    store.transact(db, Transaction.of(TckFixtures.events(2)));
    var options = new SubscriptionOptions(16, Duration.ofSeconds(5), Duration.ofMillis(50));
    try (var sub = engine(store, options).subscribe(db, EventSelector.subject("nobody"), 1L)) {
      assertThat(next(sub)).isEqualTo(new SubscriptionItem.Heartbeat(2));
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void a_consumer_that_stops_reading_is_cut_off_after_its_buffer_with_slow_consumer()
      throws Exception {
    var store = EventStore.create(adapter());
    DatabaseName db = uniqueDatabase("slow");
    store.createDatabase(db);
    store.transact(db, Transaction.of(TckFixtures.events(10)));
    var options = new SubscriptionOptions(4, Duration.ofMillis(200), Duration.ofSeconds(15));
    try (var sub = engine(store, options).subscribe(db, EventSelector.any(), 1L)) {
      // the consumer reads nothing until the reader gave up
      while (!sub.isEnded()) {
        Thread.sleep(20);
      }
      var items = new ArrayList<SubscriptionItem>();
      SubscriptionItem item;
      do {
        item = next(sub);
        items.add(item);
      } while (!item.match(delivered -> false, heartbeat -> false, ended -> true)
          && items.size() < 20);
      var ended = (SubscriptionItem.Ended) items.get(items.size() - 1);
      assertThat(ended.error().code()).isEqualTo(ErrorCode.SLOW_CONSUMER);
      assertThat(ended.error().fields()).containsEntry("buffer_size", 4);
      // what was buffered before the cut-off is still delivered, in order and without gaps
      var delivered =
          items.subList(0, items.size() - 1).stream().map(SubscriptionTck::revisionOf).toList();
      assertThat(delivered)
          .isNotEmpty()
          .isEqualTo(java.util.stream.LongStream.rangeClosed(1, delivered.size()).boxed().toList());
      assertThat(delivered.size()).isLessThan(10);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void deleting_the_database_ends_its_subscriptions_with_database_not_found() throws Exception {
    var store = EventStore.create(adapter());
    DatabaseName db = uniqueDatabase("gone");
    store.createDatabase(db);
    try (var sub =
        engine(store, SubscriptionOptions.defaults()).subscribe(db, EventSelector.any(), 1L)) {
      store.deleteDatabase(db);
      store.createDatabase(db); // a new generation is a different database
      store.transact(db, Transaction.of(TckFixtures.events(1)));
      var item = next(sub);
      assertThat(item).isInstanceOf(SubscriptionItem.Ended.class);
      assertThat(((SubscriptionItem.Ended) item).error().code())
          .isEqualTo(ErrorCode.DATABASE_NOT_FOUND);
    }
  }

  private static SubscriptionItem next(Subscription sub) throws InterruptedException {
    while (true) {
      var item = sub.poll(POLL);
      if (item != null) {
        return item;
      }
    }
  }

  private static long revisionOf(SubscriptionItem item) {
    assertThat(item).isInstanceOf(SubscriptionItem.Delivered.class);
    return ((SubscriptionItem.Delivered) item).event().revision();
  }

  private static List<Long> revisions(List<StoredEvent> events) {
    return events.stream().map(StoredEvent::revision).toList();
  }

  private Collector collect(
      Subscription sub, long from, boolean onlyWriter1, AtomicLong finalHead) {
    return new Collector(sub, from, onlyWriter1, finalHead, workers);
  }

  /**
   * Drains one subscription on its own thread until a heartbeat reports the final head: by then
   * every revision up to it has been examined and every match delivered.
   */
  private static final class Collector {
    final long from;
    final boolean onlyWriter1;
    private final Future<List<Long>> result;

    Collector(
        Subscription sub,
        long from,
        boolean onlyWriter1,
        AtomicLong finalHead,
        ExecutorService workers) {
      this.from = from;
      this.onlyWriter1 = onlyWriter1;
      this.result =
          workers.submit(
              () -> {
                var seen = new ArrayList<Long>();
                try (sub) {
                  boolean caughtUp = false;
                  while (!caughtUp) {
                    @Nullable SubscriptionItem item = sub.poll(POLL);
                    if (item != null) {
                      caughtUp =
                          item.match(
                              delivered -> {
                                seen.add(delivered.event().revision());
                                return false;
                              },
                              heartbeat -> heartbeat.revision() >= finalHead.get(),
                              ended -> {
                                throw ended.error();
                              });
                    }
                  }
                  return seen;
                }
              });
    }

    List<Long> result() throws Exception {
      return result.get(60, TimeUnit.SECONDS);
    }
  }
}
