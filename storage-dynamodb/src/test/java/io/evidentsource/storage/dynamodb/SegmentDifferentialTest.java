package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;
import io.evidentsource.core.query.QueryPage;
import io.evidentsource.core.query.Snapshot;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.MutableClock;
import io.evidentsource.storage.tck.TckFixtures;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The differential test of issue 10 (ADR 0011): random appends and random queries and conditions on
 * instances whose index is loaded from sealed segments, on moto, against the reference, an instance
 * that indexes the same log from the events table only. Segments are small (7 and 23 events), so
 * every query spans many segments and many segment boundaries fall inside transactions and inside
 * runs of revisions sharing a commit time.
 *
 * <p>Checked, for each random query (selector of stream, subject, no subject, type, tag, prefix,
 * {@code and}, {@code or}; forward or backward; by revision or {@code order=effective_time}; {@code
 * as_of_effective_time}; at the head, a revision or {@code as_of_transaction_time}; a revision
 * range; small pages): every page's events and whether a next page exists, paging with the
 * segment-backed instances' own tokens, alternating between two of them, one warm and one cold. For
 * random {@code max}/{@code min}/{@code range} conditions: L(S) at the head and at earlier
 * revisions on instances first caught up only to those revisions. Duplicate event ids are rejected
 * by a segment-loaded instance naming the same stored revision. Half of the appends in the second
 * phase are made by a segment-loaded instance, which then seals the ranges it completes.
 */
class SegmentDifferentialTest {
  static final String[] STREAMS = {"s1", "s2", "s1/x", "s10", "orders"};
  static final String[] TYPES = {"A", "B", "AB", "OrderPlaced"};
  static final String[] SUBJECTS = {"a", "a1", "a/1", "b", "b-2", "rare"};
  static final String[] TAGS = {"t1", "t2", "t:1", "t10", "shop:1"};
  static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  DynamoDbClient client;
  DynamoDbTables tables;
  DynamoDbStorageAdapter adapter;
  DatabaseName db;
  MutableClock clock;
  Random random;
  int segmentEvents;
  int nextId;

  /** Segments read whole from the store by any instance. */
  final AtomicLong segmentsRead = new AtomicLong();

  /** Recorded times of the log, to pick {@code as_of_transaction_time} values around. */
  final List<Instant> recorded = new ArrayList<>();

  @ParameterizedTest(name = "segments of {0} events")
  @ValueSource(ints = {7, 23})
  void segment_backed_instances_answer_as_the_log_indexed_reference(int segmentEvents) {
    this.segmentEvents = segmentEvents;
    random = new Random(1000L + segmentEvents);
    client = DynamoDbFixture.client();
    tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    adapter = new DynamoDbStorageAdapter(client, tables);
    db = TckFixtures.uniqueDatabase("diff");
    clock = new MutableClock(EPOCH);
    var writer = instance(true);
    writer.createDatabase(db);

    // phase 1: one writer (it seals), then a warm segment-loaded instance and a cold one
    appendRandom(writer, 25);
    var warm = instance(true);
    compare(warm, 60);

    // phase 2: the warm instance (index partly from segments) writes half of the appends and
    // seals the ranges it completes; then compare again, the warm one extending its index
    for (int i = 0; i < 25; i++) {
      appendRandom(i % 2 == 0 ? writer : warm, 1);
    }
    compare(warm, 120);
    duplicatesAreRejectedAlike();
    conditionsAtEarlierRevisionsAgree(4);
  }

  /**
   * An instance with its own empty index, with or without segments. All share one adapter and its
   * cache of committed events (immutable, so sharing cannot change an answer): the index is under
   * test, and moto answers the reads of events slowly.
   */
  EventStore instance(boolean withSegments) {
    @Nullable IndexSegments segments =
        withSegments
            ? new IndexSegments(
                new Counted(new DynamoDbIndexSegmentStore(client, tables)),
                segmentEvents,
                Runnable::run)
            : null;
    return new EventStore(
        adapter,
        EventLimits.defaults(),
        clock,
        UUID::randomUUID,
        Duration.ofSeconds(10),
        EventStoreObserver.NONE,
        segments,
        // with segments, an index cache of one byte: a walk's segments are dropped as soon as it
        // leaves them, so walks reload them mid-query
        withSegments ? 1 : Long.MAX_VALUE);
  }

  void appendRandom(EventStore store, int transactions) {
    for (int t = 0; t < transactions; t++) {
      // 0 ms: a commit time shared with the previous transaction, so runs of equal recorded times
      // cross segment boundaries
      clock.advance(Duration.ofMillis(random.nextInt(3)));
      int size = 1 + random.nextInt(random.nextInt(4) == 0 ? 25 : 8);
      var events = new ArrayList<Event>();
      for (int i = 0; i < size; i++) {
        events.add(randomEvent());
      }
      var result = store.transact(db, Transaction.of(events));
      assertThat(result.duplicate()).isFalse();
      for (int i = 0; i < size; i++) {
        recorded.add(clock.instant());
      }
    }
  }

  Event randomEvent() {
    int n = nextId++;
    var b =
        Event.builder()
            .id("e" + n)
            .source(pick(STREAMS))
            .type(pick(TYPES))
            .subject(random.nextInt(5) == 0 ? null : rareOr(pick(SUBJECTS)))
            .jsonData("{\"n\":" + n + "}");
    int tags = random.nextInt(3);
    if (tags == 1) {
      b.tags(pick(TAGS));
    } else if (tags == 2) {
      b.tags(pick(TAGS), pick(TAGS));
    }
    if (random.nextInt(3) > 0) {
      // effective times out of commit order, some equal, so order=effective_time breaks ties
      b.time(EventTime.of(EPOCH.plusSeconds(random.nextInt(200) - 100)));
    }
    return b.build();
  }

  /** "rare" only once in a while: a key that occurs in few segments. */
  String rareOr(String subject) {
    return subject.equals("rare") && random.nextInt(8) != 0 ? "b" : subject;
  }

  String pick(String[] pool) {
    return pool[random.nextInt(pool.length)];
  }

  EventSelector randomSelector(int depth) {
    int kind = random.nextInt(depth > 0 ? 8 : 6);
    return switch (kind) {
      case 0 -> EventSelector.stream(pick(STREAMS));
      case 1 -> EventSelector.eventType(pick(TYPES));
      case 2 ->
          random.nextInt(4) == 0
              ? EventSelector.noSubject()
              : EventSelector.subject(pick(SUBJECTS));
      case 3 -> EventSelector.tag(pick(TAGS));
      case 4 -> {
        var attributes = List.of(Attribute.values());
        Attribute a = attributes.get(random.nextInt(attributes.size()));
        String[] pool =
            switch (a) {
              case STREAM -> STREAMS;
              case EVENT_TYPE -> TYPES;
              case SUBJECT -> SUBJECTS;
              case TAG -> TAGS;
            };
        String v = pick(pool);
        yield EventSelector.startsWith(a, v.substring(0, random.nextInt(v.length() + 1)));
      }
      case 5 -> EventSelector.any();
      case 6 -> EventSelector.and(randomSelector(depth - 1), randomSelector(depth - 1));
      default -> EventSelector.or(randomSelector(depth - 1), randomSelector(depth - 1));
    };
  }

  EventQuery randomQuery(long head) {
    var q =
        EventQuery.of(randomSelector(2))
            .withDirection(random.nextBoolean() ? Direction.FORWARD : Direction.BACKWARD)
            .withOrder(random.nextInt(3) == 0 ? Order.EFFECTIVE_TIME : Order.REVISION)
            .withLimit(1 + random.nextInt(random.nextBoolean() ? 5 : 40));
    switch (random.nextInt(4)) {
      case 0 -> q = q.withSnapshot(Snapshot.atRevision(random.nextLong(head + 1)));
      case 1 -> {
        Instant t = recorded.get(random.nextInt(recorded.size()));
        q = q.withAsOfTransactionTime(t.plusNanos(random.nextInt(3) - 1));
      }
      default -> {
        // the head
      }
    }
    if (random.nextInt(3) == 0) {
      long from = 1 + random.nextLong(head);
      q = q.withRange(from, random.nextBoolean() ? null : from + random.nextLong(head));
    }
    if (random.nextInt(3) == 0) {
      q = q.withAsOfEffectiveTime(EPOCH.plusSeconds(random.nextInt(240) - 120));
    }
    return q;
  }

  /**
   * Random queries and head conditions on the warm instance and a new cold one, against a new
   * reference built from the log.
   */
  void compare(EventStore warm, int trials) {
    var reference = instance(false);
    var cold = instance(true);
    long head = reference.database(db).revision();
    long readBefore = segmentsRead.get();
    for (int trial = 0; trial < trials; trial++) {
      var query = randomQuery(head);
      var expected = pages(reference, reference, query);
      var actual = pages(trial % 2 == 0 ? warm : cold, trial % 2 == 0 ? cold : warm, query);
      assertThat(actual).as("trial %d: %s", trial, query).isEqualTo(expected);
    }
    var conditions = randomConditions(20, head);
    var expected = reference.checkConditions(reference.database(db), conditions);
    assertThat(warm.checkConditions(warm.database(db), conditions)).isEqualTo(expected);
    assertThat(cold.checkConditions(cold.database(db), conditions)).isEqualTo(expected);
    // not vacuous: the cold instance alone loaded every whole range from its segment
    assertThat(segmentsRead.get() - readBefore).isGreaterThanOrEqualTo(head / segmentEvents);
  }

  /** Counts the segments read from a store. */
  final class Counted implements IndexSegmentStore {
    final IndexSegmentStore store;

    Counted(IndexSegmentStore store) {
      this.store = store;
    }

    @Override
    public boolean putIfAbsent(Key key, byte[] segment, byte @Nullable [] summary) {
      return store.putIfAbsent(key, segment, summary);
    }

    @Override
    public void replace(Key key, byte[] segment, byte @Nullable [] summary) {
      store.replace(key, segment, summary);
    }

    @Override
    public NavigableMap<Long, byte[]> summaries(DatabaseName database, long generation) {
      return store.summaries(database, generation);
    }

    @Override
    public Optional<byte[]> get(Key key) {
      var bytes = store.get(key);
      if (bytes.isPresent()) {
        segmentsRead.incrementAndGet();
      }
      return bytes;
    }

    @Override
    public int maxSegmentBytes() {
      return store.maxSegmentBytes();
    }
  }

  List<AppendCondition> randomConditions(int n, long head) {
    var out = new ArrayList<AppendCondition>();
    for (int i = 0; i < n; i++) {
      var s = randomSelector(2);
      long r = random.nextLong(head + 1);
      out.add(
          switch (random.nextInt(3)) {
            case 0 -> AppendCondition.max(s, r);
            case 1 -> AppendCondition.min(s, r);
            default -> AppendCondition.range(s, r, r + random.nextLong(head + 1));
          });
    }
    return out;
  }

  /**
   * Every page of {@code query} (at most 25), the first from {@code first} and the next ones
   * alternating between {@code second} and {@code first}, each with the previous page's token: the
   * revisions of each page and, last, an error code if a page was refused.
   */
  List<Object> pages(EventStore first, EventStore second, EventQuery query) {
    var out = new ArrayList<Object>();
    EventQuery q = query;
    for (int n = 0; n < 25; n++) {
      QueryPage page;
      try {
        page = (n % 2 == 0 ? first : second).query(db, q);
      } catch (EvidentSourceException e) {
        out.add(e.code());
        return out;
      }
      out.add(page.revision());
      out.add(page.events().stream().map(StoredEvent::revision).toList());
      if (page.nextPageToken() == null) {
        return out;
      }
      q = query.withPageToken(page.nextPageToken());
    }
    out.add("more than 25 pages");
    return out;
  }

  /** A segment-loaded instance rejects a duplicate (source, id) naming the revision it holds. */
  void duplicatesAreRejectedAlike() {
    var reference = instance(false);
    var cold = instance(true);
    var all = new ArrayList<StoredEvent>();
    reference.stream(db, EventQuery.all(), Long.MAX_VALUE).events().forEachRemaining(all::add);
    for (int i = 0; i < 5; i++) {
      var old = all.get(random.nextInt(all.size())).event();
      var again = old.toBuilder().jsonData("{\"again\":true}").build();
      var tx = Transaction.of(List.of(randomEvent(), again));
      var expected = catchThrowable(() -> reference.transact(db, tx));
      var actual = catchThrowable(() -> cold.transact(db, tx));
      assertThat(expected).isInstanceOf(EvidentSourceException.class);
      assertThat(actual).isInstanceOf(EvidentSourceException.class);
      var e = (EvidentSourceException) expected;
      var a = (EvidentSourceException) actual;
      assertThat(a.code()).isEqualTo(e.code());
      assertThat(a.fields()).isEqualTo(e.fields());
    }
  }

  /**
   * Conditions at earlier revisions on instances first caught up only to those revisions (so the
   * index stops inside a segment's range and later continues from the log, then from segments).
   */
  void conditionsAtEarlierRevisionsAgree(int instances) {
    var reference = instance(false);
    var head = reference.database(db);
    for (int i = 0; i < instances; i++) {
      var cold = instance(true);
      for (long at : List.of(random.nextLong(head.revision() + 1), head.revision())) {
        var info =
            new DatabaseInfo(
                head.name(), head.generation(), head.createdAt(), at, head.revisionTime());
        var conditions = randomConditions(15, head.revision());
        assertThat(cold.checkConditions(info, conditions))
            .as("at revision %d", at)
            .isEqualTo(reference.checkConditions(info, conditions));
      }
    }
  }
}
