package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.core.subscription.SubscriptionItem;
import io.evidentsource.core.subscription.SubscriptionOptions;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One or two server instances — {@link EventStore}s, each with its own DynamoDB client, adapter,
 * event cache, index and notification relay — on the same tables, with clients appending through
 * both under conditions on overlapping subjects. The moto server answers one request at a time
 * ({@link MotoServer}), so each {@code TransactWriteItems} is atomic as in DynamoDB. A live
 * subscriber on each instance (catalog polling, as DynamoDB gives no commit signal) must see every
 * revision once, in order, whichever instance committed it.
 */
class ClusteredAppendTest {
  private static final Pattern AFTER = Pattern.compile("\\{\"after\":(\\d+)}");
  private static final int CLIENTS_PER_INSTANCE = 3;
  private static final int APPENDS_PER_CLIENT = 12;
  private static final String[] SUBJECTS = {"account-1", "account-2"};
  private static final AtomicInteger CONFLICTS = new AtomicInteger();

  @ParameterizedTest(name = "{0} instance(s)")
  @ValueSource(ints = {1, 2})
  @Timeout(300)
  void conditional_appends_through_the_instances_keep_the_log_dense_and_every_condition_true(
      int instances) throws Exception {
    DynamoDbTables tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(DynamoDbFixture.client(), tables, true);
    List<Long> announced = Collections.synchronizedList(new ArrayList<>());
    EventPublisher topic =
        (db, tx) -> tx.forEach(e -> announced.add(e.revision())); // one topic, both instances
    var storages = new ArrayList<DynamoDbStorageAdapter>();
    var relays = new ArrayList<NotificationRelay>();
    var stores = new ArrayList<EventStore>();
    for (int i = 0; i < instances; i++) {
      var client = DynamoDbFixture.client();
      var storage = new DynamoDbStorageAdapter(client, tables);
      var relay =
          new NotificationRelay(
              storage,
              client,
              topic,
              new NotificationRelay.Settings(
                  "instance-" + i, Duration.ofSeconds(5), Duration.ofMillis(500), 500),
              Clock.systemUTC());
      storages.add(storage);
      relays.add(relay);
      stores.add(EventStore.create(new PublishingStorageAdapter(storage, relay)));
    }
    DatabaseName db = TckFixtures.uniqueDatabase("cluster");
    stores.get(0).createDatabase(db);

    // a live subscriber on each instance, learning of other instances' commits from the catalog
    var readers = Executors.newCachedThreadPool();
    var subscriptions = new ArrayList<Subscription>();
    for (int i = 0; i < instances; i++) {
      var engine =
          new SubscriptionEngine(
              stores.get(i),
              ChangeNotifications.polling(storages.get(i), Duration.ofMillis(50)),
              readers,
              SubscriptionOptions.defaults());
      subscriptions.add(engine.subscribe(db, EventSelector.any(), 1L));
    }

    Map<UUID, Event> acknowledged = Collections.synchronizedMap(new HashMap<>());
    Map<UUID, TransactionResult> results = Collections.synchronizedMap(new HashMap<>());
    var pool = Executors.newFixedThreadPool(2 * CLIENTS_PER_INSTANCE);
    long start = System.nanoTime();
    try {
      var futures = new ArrayList<Future<Void>>();
      for (int c = 0; c < 2 * CLIENTS_PER_INSTANCE; c++) {
        EventStore store = stores.get(c % instances);
        int client = c;
        Callable<Void> task =
            () -> {
              for (int i = 0; i < APPENDS_PER_CLIENT; i++) {
                String subject = SUBJECTS[(client + i) % SUBJECTS.length];
                appendAfterLatest(store, db, subject, acknowledged, results);
              }
              return null;
            };
        futures.add(pool.submit(task));
      }
      for (var f : futures) {
        f.get(280, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    var storage = storages.get(storages.size() - 1);
    var info = storage.findDatabase(db).orElseThrow();
    int total = 2 * CLIENTS_PER_INSTANCE * APPENDS_PER_CLIENT;
    System.out.printf(
        "clustered conditional appends: %d instance(s), %d clients, %d appends in %.1f s ="
            + " %.1f appends/s, %d condition failures retried (moto, functional figure)%n",
        instances, 2 * CLIENTS_PER_INSTANCE, total, seconds, total / seconds, CONFLICTS.get());
    CONFLICTS.set(0);
    assertThat(info.revision()).as("head").isEqualTo(total);
    List<StoredEvent> log = storage.readRange(db, info.generation(), 1, total);
    // dense and unique
    assertThat(log).extracting(StoredEvent::revision).isEqualTo(range(1, total));
    assertThat(new HashSet<>(log.stream().map(e -> e.event().id()).toList())).hasSize(total);
    // every acknowledged append exactly once, where its result says
    assertThat(acknowledged).hasSize(total);
    results.forEach(
        (id, r) ->
            assertThat(log.get((int) r.firstRevision() - 1).event())
                .isEqualTo(acknowledged.get(id)));
    // every condition held at its position: the event before it on its subject is the one the
    // client read, so nothing matching came in between
    var lastBySubject = new HashMap<String, Long>();
    for (StoredEvent e : log) {
      long after = after(e);
      assertThat(lastBySubject.getOrDefault(e.event().subject(), 0L))
          .as("latest %s before revision %d", e.event().subject(), e.revision())
          .isEqualTo(after);
      lastBySubject.put(e.event().subject(), e.revision());
    }
    // announced through the relays of both instances: every revision, first seen in order
    for (var relay : relays) {
      relay.publishPending(db);
    }
    while (relays.get(0).watermark(db) < total) {
      relays.get(0).publishPending(db);
    }
    var firstSeen = new ArrayList<Long>();
    long max = 0;
    for (long r : List.copyOf(announced)) {
      if (r > max) {
        assertThat(r).as("announced after %d", max).isEqualTo(max + 1);
        firstSeen.add(r);
        max = r;
      }
    }
    assertThat(firstSeen).isEqualTo(range(1, total));
    relays.forEach(NotificationRelay::close);

    // the subscriber on each instance saw every revision once, in order
    try {
      for (int i = 0; i < instances; i++) {
        var seen = new ArrayList<Long>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen.size() < total && System.nanoTime() < deadline) {
          SubscriptionItem item = subscriptions.get(i).poll(Duration.ofSeconds(1));
          if (item instanceof SubscriptionItem.Delivered d) {
            seen.add(d.event().revision());
          } else if (item instanceof SubscriptionItem.Ended e) {
            throw new AssertionError("the subscriber on instance " + i + " ended", e.error());
          }
        }
        assertThat(seen)
            .as("revisions seen by the subscriber on instance %d", i)
            .isEqualTo(range(1, total));
      }
    } finally {
      subscriptions.forEach(Subscription::close);
      readers.shutdownNow();
    }
  }

  /** Reads the subject's latest event and appends one guarded by "nothing on it since". */
  private static void appendAfterLatest(
      EventStore store,
      DatabaseName db,
      String subject,
      Map<UUID, Event> acknowledged,
      Map<UUID, TransactionResult> results) {
    var selector = EventSelector.subject(subject);
    while (true) {
      var page =
          store.query(db, EventQuery.of(selector).withDirection(Direction.BACKWARD).withLimit(1));
      long latest = page.events().isEmpty() ? 0 : page.events().get(0).revision();
      Event next =
          Event.builder()
              .id(UUID.randomUUID().toString())
              .source("https://example.com/accounts")
              .type("com.example.account.changed")
              .subject(subject)
              .jsonData("{\"after\":" + latest + "}")
              .build();
      UUID id = UUID.randomUUID();
      try {
        var result =
            store.transact(
                db,
                new Transaction(id, List.of(next), List.of(AppendCondition.max(selector, latest))));
        acknowledged.put(id, next);
        results.put(id, result);
        return;
      } catch (ConditionFailedException e) {
        CONFLICTS.incrementAndGet();
        // another client (maybe on the other instance) appended to this subject first: re-read
      }
    }
  }

  private static long after(StoredEvent e) {
    var m = AFTER.matcher(((EventData.Json) e.event().data()).text());
    assertThat(m.matches()).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static List<Long> range(long from, long to) {
    var out = new ArrayList<Long>();
    for (long r = from; r <= to; r++) {
      out.add(r);
    }
    return out;
  }
}
