package io.evidentsource.storage.tck;

import static io.evidentsource.storage.tck.TckFixtures.uniqueDatabase;
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
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads appending to one database: the compare-and-set never loses or duplicates a revision,
 * and conditional appends through the core never lose an update.
 */
public abstract class ConcurrencyTck {
  private static final Pattern VALUE = Pattern.compile("\\{\"value\":(\\d+)}");

  /** A ready adapter; may be shared between tests (names are unique). */
  protected abstract StorageAdapter adapter();

  /** Threads per test; adapters backed by slow emulators may lower it. */
  protected int threads() {
    return 8;
  }

  /** Transactions each thread commits. */
  protected int transactionsPerThread() {
    return 60;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void concurrent_compare_and_set_appends_give_dense_unique_revisions() throws Exception {
    StorageAdapter storage = adapter();
    DatabaseName db = uniqueDatabase("cas");
    long generation = storage.createDatabase(db, Instant.EPOCH).generation();
    List<TransactionResult> acknowledged = Collections.synchronizedList(new ArrayList<>());
    Map<UUID, List<Event>> written = Collections.synchronizedMap(new HashMap<>());

    runConcurrently(
        threads(),
        t -> {
          for (int i = 0; i < transactionsPerThread(); i++) {
            List<Event> batch = TckFixtures.events(1 + (i % 3));
            UUID id = UUID.randomUUID();
            written.put(id, batch);
            while (true) {
              var head = storage.findDatabase(db).orElseThrow();
              var outcome =
                  storage.append(
                      new AppendRequest(
                          db, generation, head.revision(), batch, id, head.revisionTime()));
              boolean committed =
                  outcome.match(
                      c -> {
                        acknowledged.add(c.result());
                        return true;
                      },
                      headMoved -> false, // another writer won: read the head and try again
                      duplicate -> {
                        throw new AssertionError("a fresh transaction id was a duplicate");
                      });
              if (committed) {
                break;
              }
            }
          }
          return null;
        });

    long total = written.values().stream().mapToLong(List::size).sum();
    assertThat(storage.findDatabase(db).orElseThrow().revision()).isEqualTo(total);
    List<StoredEvent> log = readAll(storage, db, generation, total);
    for (int i = 0; i < log.size(); i++) {
      assertThat(log.get(i).revision()).isEqualTo(i + 1L);
    }
    assertThat(new HashSet<>(log.stream().map(s -> s.event().id()).toList())).hasSize((int) total);
    assertThat(acknowledged).hasSize(threads() * transactionsPerThread());
    for (TransactionResult r : acknowledged) {
      List<Event> expected = written.get(r.transactionId());
      var actual = log.subList((int) r.firstRevision() - 1, (int) r.revision());
      assertThat(actual).extracting(StoredEvent::event).isEqualTo(expected);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void conditional_appends_from_many_threads_never_lose_an_update() throws Exception {
    StorageAdapter storage = adapter();
    EventStore store = EventStore.create(storage);
    DatabaseName db = uniqueDatabase("counter");
    store.createDatabase(db);
    int counters = 2;
    int incrementsPerThread = transactionsPerThread() / 2;

    runConcurrently(
        threads(),
        t -> {
          String subject = "counter-" + (t % counters);
          var selector = EventSelector.subject(subject);
          for (int i = 0; i < incrementsPerThread; i++) {
            while (true) {
              var page =
                  store.query(
                      db, EventQuery.of(selector).withDirection(Direction.BACKWARD).withLimit(1));
              long seen = page.revision();
              long previous = 0;
              long highest = 0;
              if (!page.events().isEmpty()) {
                StoredEvent last = page.events().get(0);
                highest = last.revision();
                previous = value(last);
              }
              Event next =
                  Event.builder()
                      .id(UUID.randomUUID().toString())
                      .source("https://example.com/counters")
                      .type("com.example.counter.incremented")
                      .subject(subject)
                      .jsonData("{\"value\":" + (previous + 1) + "}")
                      .build();
              try {
                store.transact(
                    db,
                    Transaction.of(List.of(next), List.of(AppendCondition.max(selector, highest))));
                break;
              } catch (ConditionFailedException e) {
                assertThat(e.failures()).hasSize(1);
                assertThat(e.failures().get(0).actualRevision()).isGreaterThan(highest);
                assertThat(seen).isLessThan(e.headRevision());
              }
            }
          }
          return null;
        });

    for (int c = 0; c < counters; c++) {
      var selector = EventSelector.subject("counter-" + c);
      var values = new ArrayList<Long>();
      store.stream(db, EventQuery.of(selector), Long.MAX_VALUE)
          .events()
          .forEachRemaining(e -> values.add(value(e)));
      long expected = (long) incrementsPerThread * (threads() / counters);
      assertThat(values).hasSize((int) expected);
      for (int i = 0; i < values.size(); i++) {
        assertThat(values.get(i)).as("value at position %d of counter-%d", i, c).isEqualTo(i + 1L);
      }
    }
  }

  /** Rounds of the idempotency race; each round starts {@link #threads()} retries at once. */
  protected int idempotencyRounds() {
    return 150;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void concurrent_retries_of_one_transaction_id_all_get_the_original_result() throws Exception {
    StorageAdapter storage = adapter();
    EventStore store = EventStore.create(storage);
    DatabaseName db = uniqueDatabase("retry");
    store.createDatabase(db);
    int threads = Math.max(4, threads());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < idempotencyRounds(); round++) {
        UUID id = UUID.randomUUID();
        String subject = "retry-" + round;
        // every other round is guarded: "nothing with this subject yet", which the first commit
        // breaks, so a retry that evaluated it would fail with a condition instead
        List<AppendCondition> conditions =
            round % 2 == 0
                ? List.of()
                : List.of(AppendCondition.max(EventSelector.subject(subject), 0));
        Transaction tx = new Transaction(id, List.of(event(subject), event(subject)), conditions);
        var start = new CyclicBarrier(threads);
        var futures = new ArrayList<Future<TransactionResult>>();
        for (int t = 0; t < threads; t++) {
          futures.add(
              pool.submit(
                  () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return store.transact(db, tx);
                  }));
        }
        var results = new ArrayList<TransactionResult>();
        for (var f : futures) {
          try {
            results.add(f.get(60, TimeUnit.SECONDS));
          } catch (ExecutionException e) {
            throw new AssertionError(
                "round " + round + ": a retry of transaction " + id + " failed", e.getCause());
          }
        }
        assertThat(results).extracting(TransactionResult::duplicate).containsOnlyOnce(false);
        var original = results.stream().filter(r -> !r.duplicate()).findFirst().orElseThrow();
        for (TransactionResult r : results) {
          assertThat(r.transactionId()).isEqualTo(id);
          assertThat(r.firstRevision()).isEqualTo(original.firstRevision());
          assertThat(r.revision()).isEqualTo(original.revision());
          assertThat(r.recordedTime()).isEqualTo(original.recordedTime());
        }
        assertThat(original.revision())
            .as("round %d appended once", round)
            .isEqualTo(2L * (round + 1));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.database(db).revision()).isEqualTo(2L * idempotencyRounds());
  }

  private static Event event(String subject) {
    return Event.builder()
        .id(UUID.randomUUID().toString())
        .source("https://example.com/retries")
        .type("com.example.retried")
        .subject(subject)
        .build();
  }

  private static long value(StoredEvent e) {
    String json = ((EventData.Json) Objects.requireNonNull(e.event().data(), "data")).text();
    Matcher m = VALUE.matcher(json);
    assertThat(m.matches()).as("counter payload %s", json).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static List<StoredEvent> readAll(
      StorageAdapter storage, DatabaseName db, long generation, long total) {
    var out = new ArrayList<StoredEvent>();
    for (long from = 1; from <= total; from += 500) {
      out.addAll(storage.readRange(db, generation, from, Math.min(total, from + 499)));
    }
    return out;
  }

  /** A task run by each thread, given its index. */
  protected interface ThreadTask {
    Void run(int thread) throws Exception;
  }

  private static void runConcurrently(int threads, ThreadTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      var futures = new ArrayList<Future<Void>>();
      for (int t = 0; t < threads; t++) {
        int index = t;
        Callable<Void> c = () -> task.run(index);
        futures.add(pool.submit(c));
      }
      for (var f : futures) {
        f.get(110, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
