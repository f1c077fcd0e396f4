package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * A cold instance on a database whose index segments another instance sealed (ADR 0011) reads the
 * segments and only the unsealed tail of the log, and answers as the instance that built its index
 * from the log does.
 */
class SegmentedColdStartTest {
  static final int SEGMENT = 100;
  static final int EVENTS = 1_050;

  /** Counts Query requests and the items they return, per table. */
  static final class QueryCounter implements ExecutionInterceptor {
    final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> items = new ConcurrentHashMap<>();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof QueryRequest q
          && context.response() instanceof QueryResponse r) {
        requests.computeIfAbsent(q.tableName(), k -> new AtomicLong()).incrementAndGet();
        items.computeIfAbsent(q.tableName(), k -> new AtomicLong()).addAndGet(r.count());
      }
    }

    long requests(String table) {
      var n = requests.get(table);
      return n == null ? 0 : n.get();
    }

    long items(String table) {
      var n = items.get(table);
      return n == null ? 0 : n.get();
    }

    void clear() {
      requests.clear();
      items.clear();
    }
  }

  // one database for all tests (42 appends on moto are slow): the tests only read, and the one that
  // damages a segment puts it back
  static QueryCounter counter;
  static DynamoDbClient client;
  static DynamoDbTables tables;
  static DatabaseName db;
  static EventStore writer;

  @BeforeAll
  static void load() {
    counter = new QueryCounter();
    client = DynamoDbFixture.client(counter);
    tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    db = TckFixtures.uniqueDatabase("cold");
    writer = store(new DynamoDbStorageAdapter(client, tables), segments());
    writer.createDatabase(db);
    DynamoDbFixture.appendInBatches(
        writer,
        db,
        EVENTS,
        r ->
            Event.builder()
                .id("e" + r)
                .source("https://example.com/orders/" + (r % 3))
                .type(r % 10 == 0 ? "OrderCancelled" : "OrderPlaced")
                .subject(r % 50 == 0 ? null : "order-" + (r % 37))
                .tags("shop:" + (r % 4))
                .jsonData("{\"n\":" + r + "}")
                .build());
  }

  static IndexSegments segments() {
    return new IndexSegments(new DynamoDbIndexSegmentStore(client, tables), SEGMENT, Runnable::run);
  }

  static EventStore store(DynamoDbStorageAdapter adapter, @Nullable IndexSegments segments) {
    return DynamoDbFixture.eventStore(adapter, segments);
  }

  /** A second instance with no cache of events and an empty index. */
  static EventStore coldInstance() {
    return store(new DynamoDbStorageAdapter(client, tables, 0), segments());
  }

  static List<Long> revisions(List<StoredEvent> events) {
    return events.stream().map(StoredEvent::revision).toList();
  }

  @Test
  void the_instance_that_wrote_the_log_sealed_every_whole_range() {
    var store = new DynamoDbIndexSegmentStore(client, tables);
    long generation = writer.database(db).generation();
    for (long first = 1; first <= EVENTS; first += SEGMENT) {
      var segment = store.get(new IndexSegmentStore.Key(db, generation, first));
      assertThat(segment.isPresent()).as("segment from %d", first).isEqualTo(first + 99 <= EVENTS);
    }
  }

  @Test
  void a_cold_instance_reads_the_segments_and_only_the_unsealed_tail_of_the_log() {
    var subject = EventSelector.subject("order-5");
    var query = EventQuery.of(subject).withDirection(Direction.BACKWARD).withLimit(100);
    var expected = writer.query(db, query);
    var cold = coldInstance();
    counter.clear();

    var page = cold.query(db, query);

    assertThat(revisions(page.events())).isEqualTo(revisions(expected.events()));
    // one Query for the summaries, then one per segment the walk opens (all: each holds order-5)
    assertThat(counter.requests(tables.indexes())).isEqualTo(1 + EVENTS / SEGMENT);
    // the log is read only for the unsealed tail (50 events) and the matching events of the page
    assertThat(counter.items(tables.events())).isLessThanOrEqualTo(EVENTS % SEGMENT);
  }

  @Test
  void a_cold_instance_checks_conditions_as_the_writer_does() {
    var conditions =
        List.of(
            AppendCondition.max(EventSelector.subject("order-5"), 0),
            AppendCondition.max(EventSelector.noSubject(), 0),
            AppendCondition.max(EventSelector.startsWith(Attribute.TAG, "shop:"), 0),
            AppendCondition.max(EventSelector.eventType("OrderCancelled"), 0));
    var expected = writer.checkConditions(writer.database(db), conditions);
    var cold = coldInstance();

    assertThat(cold.checkConditions(cold.database(db), conditions)).isEqualTo(expected);
  }

  @Test
  void a_segment_that_does_not_decode_is_bypassed_then_rebuilt_from_the_log_and_replaced() {
    long generation = writer.database(db).generation();
    var segmentKey = new IndexSegmentStore.Key(db, generation, 501);
    var store = new DynamoDbIndexSegmentStore(client, tables);
    byte[] sealed = store.get(segmentKey).orElseThrow();
    var key =
        Map.of(
            "pk", AttributeValue.fromS(db.value() + "#" + generation),
            "sk", AttributeValue.fromN(Long.toString(501L * 1024)));
    var chunk = client.getItem(g -> g.tableName(tables.indexes()).key(key)).item();
    byte[] bytes = Objects.requireNonNull(chunk.get("b"), "chunk bytes").b().asByteArray();
    byte[] damaged = bytes.clone();
    damaged[bytes.length / 2] ^= 0x40; // same length: only the segment's checksum can tell
    putChunk(key, damaged);
    try {
      // the first cold instance reads the damaged range from the log when its walk reaches it,
      // never the damaged segment
      queriesOnADamagedSegment(SEGMENT);
      // ... and replaced it with the segment rebuilt from the log: the same bytes as sealed
      assertThat(store.get(segmentKey)).hasValueSatisfying(b -> assertThat(b).isEqualTo(sealed));
      // so the next cold instance reads no range of the log but the tail
      queriesOnADamagedSegment(0);
    } finally {
      putChunk(key, bytes);
    }
  }

  static void putChunk(Map<String, AttributeValue> key, byte[] bytes) {
    client.updateItem(
        u ->
            u.tableName(tables.indexes())
                .key(key)
                .updateExpression("SET b = :b")
                .expressionAttributeValues(
                    Map.of(":b", AttributeValue.fromB(SdkBytes.fromByteArray(bytes)))));
  }

  /** A prefix query on a cold instance; {@code rangeFromLog}: the events of log read for ranges. */
  static void queriesOnADamagedSegment(int rangeFromLog) {
    var query = EventQuery.of(EventSelector.startsWith(Attribute.SUBJECT, "order-1"));
    var expected = writer.query(db, query.withLimit(1000));
    var cold = coldInstance();
    counter.clear();

    var page = cold.query(db, query.withLimit(1000));

    assertThat(revisions(page.events())).isEqualTo(revisions(expected.events()));
    // the summaries, then every segment (each holds a subject starting with order-1)
    assertThat(counter.requests(tables.indexes())).isEqualTo(1 + EVENTS / SEGMENT);
    assertThat(counter.items(tables.events()))
        .isLessThanOrEqualTo(rangeFromLog + EVENTS % SEGMENT + page.events().size());
  }
}
