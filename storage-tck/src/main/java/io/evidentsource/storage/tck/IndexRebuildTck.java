package io.evidentsource.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.index.IndexSegmentRebuilder;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.QueryPage;
import io.evidentsource.core.query.Snapshot;
import io.evidentsource.core.selector.EventSelector;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An index segment rebuild ({@link IndexSegmentRebuilder}, ADR 0011 "Rebuild") is safe while
 * writers run: a rebuild runs while two writers make guarded appends to the same database, one of
 * them sealing segments itself (so its sealing races the rebuild's), and after every range it
 * checks the rebuild waits for one more commit, so reads of the log and writes of segments
 * interleave with appends whatever the machine's speed. Afterwards every whole range's stored
 * segment is byte for byte the one an index of the log seals, no guarded append failed a condition
 * it should have passed, and an index loaded lazily from the segments answers random queries and
 * conditions as an index built from the log.
 */
@Timeout(300)
public abstract class IndexRebuildTck {
  /** Events per segment: small, so segment boundaries fall inside transactions. */
  protected static final int SEGMENT = 5;

  static final String[] TYPES = {"A", "B", "C"};
  static final String[] TAGS = {"t1", "t2", "shared"};

  /** The log under test; may be shared by the tests of one class (database names are unique). */
  protected abstract StorageAdapter log();

  /** The segment store under test, on the same backing store as {@link #log()}. */
  protected abstract IndexSegmentStore segmentStore();

  /** How many events the database holds before the writers start; a tenth of it per writer. */
  protected int prefill() {
    return 100;
  }

  private final Random random = new Random(42);

  private EventStore instance(@Nullable IndexSegmentStore segments, long indexCacheBytes) {
    return new EventStore(
        log(),
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(60),
        EventStoreObserver.NONE,
        segments == null ? null : new IndexSegments(segments, SEGMENT, Runnable::run),
        indexCacheBytes);
  }

  /** Event {@code n} of a stream: id {@code stream-n}, every third tagged {@code shared}. */
  private static Event event(String stream, int n) {
    return Event.builder()
        .id(stream + "-" + n)
        .source(stream)
        .type(TYPES[n % TYPES.length])
        .subject(n % 4 == 0 ? null : "s-" + (n % 7))
        .tags(TAGS[n % TAGS.length])
        .jsonData("{\"n\":" + n + "}")
        .build();
  }

  @Test
  void a_rebuild_under_concurrent_guarded_appends_seals_what_an_index_of_the_log_seals() {
    var segments = segmentStore();
    var db = TckFixtures.uniqueDatabase("rebuild-live");
    var plain = instance(null, Long.MAX_VALUE); // writes without sealing
    plain.createDatabase(db);
    int prefill = prefill();
    for (int n = 0; n < prefill; n += 4) {
      var batch = new ArrayList<Event>();
      for (int i = n; i < Math.min(prefill, n + 4); i++) {
        batch.add(event("prefill", i));
      }
      plain.transact(db, Transaction.of(batch));
    }
    assertThat(segments.summaries(db, plain.database(db).generation()))
        .as("nothing sealed before the rebuild")
        .isEmpty();

    var sealing = instance(segments, Long.MAX_VALUE); // seals the ranges its index completes
    var commits = new AtomicLong();
    int perWriter = prefill / 10;
    ExecutorService writers = Executors.newFixedThreadPool(2);
    var rangesWithWrites = new AtomicLong();
    IndexSegmentRebuilder.Progress progress;
    List<Future<Integer>> done;
    try {
      var info = plain.database(db);
      done =
          List.of(
              writers.submit(() -> guardedAppends(sealing, db, "w0", perWriter, commits)),
              writers.submit(() -> guardedAppends(plain, db, "w1", perWriter, commits)));
      progress =
          new IndexSegmentRebuilder(log(), new IndexSegments(segments, SEGMENT, Runnable::run))
              .rebuild(
                  info,
                  p -> {
                    long before = commits.get();
                    TckFixtures.awaitUntil(
                        "a commit after range " + p.rangesDone(),
                        () -> commits.get() > before || done.stream().allMatch(Future::isDone));
                    if (commits.get() > before) {
                      rangesWithWrites.incrementAndGet();
                    }
                  });
      for (var writer : done) {
        assertThat(get(writer)).as("guarded appends that failed their condition").isZero();
      }
    } finally {
      writers.shutdownNow();
    }
    assertThat(progress.rangesDone()).isEqualTo(prefill / SEGMENT);
    assertThat(progress.sealed() + progress.kept()).isEqualTo(progress.rangesDone());
    assertThat(progress.replaced()).isZero();
    assertThat(rangesWithWrites.get()).as("ranges checked while writers committed").isPositive();

    // a second rebuild at the final head seals what the plain writer completed
    var head = plain.database(db);
    var unused =
        new IndexSegmentRebuilder(log(), new IndexSegments(segments, SEGMENT, Runnable::run))
            .rebuild(head, p -> {});

    // every whole range holds the bytes an index of the log seals
    var reference = IndexSegmentStore.inMemory();
    instance(reference, Long.MAX_VALUE).query(db, EventQuery.of(EventSelector.any()));
    long ranges = head.revision() / SEGMENT;
    assertThat(segments.summaries(db, head.generation())).hasSize((int) ranges);
    for (long k = 0; k < ranges; k++) {
      var key = new IndexSegmentStore.Key(db, head.generation(), k * SEGMENT + 1);
      assertThat(segments.get(key)).as("segment %s", key).isPresent();
      assertThat(segments.get(key).orElseThrow())
          .as("segment %s", key)
          .isEqualTo(reference.get(key).orElseThrow());
    }

    // each writer's events are all there, in its order
    var expected = IntStream.range(0, perWriter * 2).boxed().toList();
    assertThat(numbers(plain, db, "w0")).isEqualTo(expected);
    assertThat(numbers(plain, db, "w1")).isEqualTo(expected);

    // an index loaded lazily from the segments (a cache of one byte) answers as one of the log
    var lazy = instance(segments, 1);
    var fromLog = instance(null, Long.MAX_VALUE);
    for (int trial = 0; trial < 60; trial++) {
      var selector = randomSelector(2);
      long at = 1 + random.nextLong(head.revision());
      boolean forward = random.nextBoolean();
      var query =
          EventQuery.of(selector)
              .withSnapshot(Snapshot.atRevision(at))
              .withDirection(forward ? Direction.FORWARD : Direction.BACKWARD)
              .withLimit(1000);
      assertThat(revisions(lazy.query(db, query)))
          .as("%s at %d %s", selector, at, forward ? "forward" : "backward")
          .isEqualTo(revisions(fromLog.query(db, query)));
    }
    var conditions = new ArrayList<AppendCondition>();
    for (int i = 0; i < 30; i++) {
      conditions.add(AppendCondition.max(randomSelector(2), random.nextLong(head.revision() + 1)));
    }
    assertThat(lazy.checkConditions(head, conditions))
        .isEqualTo(fromLog.checkConditions(head, conditions));
  }

  /**
   * {@code transactions} appends to {@code stream}, each guarded twice: nothing new in its own
   * stream since its last commit (always holds: only this writer writes it), and nothing new under
   * the tag {@code shared} since it last looked (the other writer may have moved it: then it looks
   * again and retries).
   *
   * @return how many appends failed their own-stream condition (0 unless the index is wrong)
   */
  private static int guardedAppends(
      EventStore store, DatabaseName db, String stream, int transactions, AtomicLong commits) {
    var own = EventSelector.stream(stream);
    var shared = EventSelector.tag("shared");
    long ownLast = 0;
    int wrong = 0;
    int n = 0;
    for (int t = 0; t < transactions; t++) {
      var batch = List.of(event(stream, n), event(stream, n + 1));
      while (true) {
        long sharedLast = highest(store, db, shared);
        try {
          var result =
              store.transact(
                  db,
                  Transaction.of(
                      batch,
                      List.of(
                          AppendCondition.max(own, ownLast),
                          AppendCondition.max(shared, sharedLast))));
          ownLast = result.revision();
          commits.incrementAndGet();
          break;
        } catch (EvidentSourceException e) {
          if (e.code() != ErrorCode.CONDITION_FAILED) {
            throw e;
          }
          if (highest(store, db, own) > ownLast) {
            wrong++;
            break;
          }
        }
      }
      n += 2;
    }
    return wrong;
  }

  private static long highest(EventStore store, DatabaseName db, EventSelector selector) {
    var page =
        store.query(db, EventQuery.of(selector).withDirection(Direction.BACKWARD).withLimit(1));
    return page.events().isEmpty() ? 0 : page.events().get(0).revision();
  }

  /** The numbers {@code n} of a stream's events, in revision order. */
  private static List<Integer> numbers(EventStore store, DatabaseName db, String stream) {
    var page = store.query(db, EventQuery.of(EventSelector.stream(stream)).withLimit(1000));
    return page.events().stream()
        .map(e -> e.event().id())
        .map(id -> Integer.parseInt(id.substring(stream.length() + 1)))
        .toList();
  }

  private static List<Long> revisions(QueryPage page) {
    return page.events().stream().map(StoredEvent::revision).toList();
  }

  private EventSelector randomSelector(int depth) {
    int kind = random.nextInt(depth > 0 ? 7 : 5);
    return switch (kind) {
      case 0 -> EventSelector.stream(List.of("prefill", "w0", "w1").get(random.nextInt(3)));
      case 1 -> EventSelector.eventType(TYPES[random.nextInt(TYPES.length)]);
      case 2 ->
          random.nextInt(4) == 0
              ? EventSelector.noSubject()
              : EventSelector.subject("s-" + random.nextInt(7));
      case 3 -> EventSelector.tag(TAGS[random.nextInt(TAGS.length)]);
      case 4 -> EventSelector.any();
      case 5 -> EventSelector.and(randomSelector(depth - 1), randomSelector(depth - 1));
      default -> EventSelector.or(randomSelector(depth - 1), randomSelector(depth - 1));
    };
  }

  private static <T> T get(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a writer", e);
    } catch (ExecutionException e) {
      throw new AssertionError("a writer failed", e.getCause());
    }
  }
}
