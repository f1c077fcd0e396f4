package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * What a cold instance reads before its first answer on a large database, with and without index
 * segments (ADR 0011), counted on the wire against moto: requests, and bytes of items returned
 * (what DynamoDB bills read units on). Prints the figures of
 * docs/benchmarks.md#index-segments-what-a-cold-instance-reads-issue-10. The database is loaded
 * with {@code BatchWriteItem} straight into the events table, not through appends. Sized by {@code
 * -Dsegments.events} (default 3,000) and {@code -Dsegments.size} (default 1,000); asserts counts,
 * never times.
 */
class SegmentColdStartCostTest {
  static final int EVENTS = Integer.getInteger("segments.events", 3_000);
  static final int SEGMENT = Integer.getInteger("segments.size", 1_000);

  /** Counts requests by operation, and the bytes of the items read and written. */
  static final class Meter implements ExecutionInterceptor {
    final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    final AtomicLong itemBytesRead = new AtomicLong();
    final AtomicLong itemsRead = new AtomicLong();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
      requests.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
      if (context.response() instanceof QueryResponse r) {
        count(r.items());
      } else if (context.response() instanceof BatchGetItemResponse r) {
        r.responses().values().forEach(this::count);
      }
    }

    private void count(List<Map<String, AttributeValue>> items) {
      itemsRead.addAndGet(items.size());
      for (var item : items) {
        itemBytesRead.addAndGet(ItemSize.of(item));
      }
    }

    long total() {
      return requests.values().stream().mapToLong(AtomicLong::get).sum();
    }

    String reset() {
      var out = new TreeMap<String, Long>();
      requests.forEach((k, v) -> out.put(k, v.get()));
      String s =
          out
              + ", "
              + itemsRead.get()
              + " items, "
              + itemBytesRead.get() / 1024
              + " KiB of items read";
      requests.clear();
      itemBytesRead.set(0);
      itemsRead.set(0);
      return s;
    }
  }

  @Test
  void a_cold_instance_reads_segments_not_the_log() {
    var meter = new Meter();
    var builder = DynamoDbClients.configure(DynamoDbClient.builder(), DynamoDbFixture.settings());
    // the log-only path reads 1,000-event pages that a loaded single-threaded moto may serve in
    // more than the production client's 10 s attempt timeout; a timed-out attempt stays queued in
    // moto, so retries only pile up: wait instead (this counts requests, it does not time them)
    builder.overrideConfiguration(
        builder.overrideConfiguration().toBuilder()
            .addExecutionInterceptor(meter)
            .apiCallAttemptTimeout(Duration.ofMinutes(5))
            .build());
    DynamoDbClient client = builder.build();
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var db = TckFixtures.uniqueDatabase("coldcost");
    long generation = store(client, tables, null).createDatabase(db).generation();
    long loadStart = System.nanoTime();
    bulkLoad(client, tables, db, generation);
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    meter.reset();

    var rare = EventSelector.subject("order-7");
    var newest = EventQuery.of(rare).withDirection(Direction.BACKWARD).withLimit(100);
    var condition = List.of(AppendCondition.max(EventSelector.subject("rare-1"), 0));
    var prefix =
        EventQuery.of(EventSelector.startsWith(Attribute.SUBJECT, "order-1")).withLimit(100);

    var report = new ArrayList<String>();
    report.add(
        String.format(
            "%,d events (bulk-loaded in %.0f s), segments of %,d", EVENTS, loadSeconds, SEGMENT));

    // today: no segments, the whole log
    var plain = store(client, tables, null);
    long start = System.nanoTime();
    var expected = plain.query(db, newest);
    report.add(timed("log only, first query (a)", start) + meter.reset());
    long heapPlain = plain.indexCacheBytes();

    // the first instance with segments reads the log and seals every whole range
    var sealer = store(client, tables, segments(client, tables));
    start = System.nanoTime();
    sealer.query(db, newest);
    report.add(timed("segments, first instance (reads the log, seals)", start) + meter.reset());

    Consumer<String> note = report::add;
    // (a) one subject's 100 newest events
    var cold = store(client, tables, segments(client, tables));
    start = System.nanoTime();
    var page = cold.query(db, newest);
    note.accept(
        timed("segments, cold instance, (a) 100 newest of a subject", start) + meter.reset());
    assertThat(page.events()).isEqualTo(expected.events());
    // (b) a max condition on a rare subject, (c) a prefix query, each on its own cold instance
    var coldB = store(client, tables, segments(client, tables));
    start = System.nanoTime();
    var checks = coldB.checkConditions(coldB.database(db), condition);
    note.accept(timed("segments, cold instance, (b) max on a rare subject", start) + meter.reset());
    assertThat(checks).isEqualTo(plain.checkConditions(plain.database(db), condition));
    var coldC = store(client, tables, segments(client, tables));
    start = System.nanoTime();
    coldC.query(db, prefix);
    note.accept(timed("segments, cold instance, (c) prefix query", start) + meter.reset());
    meter.reset();

    int sealed = EVENTS / SEGMENT;
    long segmentBytes = 0;
    var segmentStore = new DynamoDbIndexSegmentStore(client, tables);
    for (int k = 0; k < sealed; k++) {
      segmentBytes +=
          segmentStore
              .get(
                  new io.evidentsource.core.port.IndexSegmentStore.Key(
                      db, generation, 1L + (long) k * SEGMENT))
              .orElseThrow()
              .length;
    }
    report.add(
        String.format(
            "sealed %d segments, %.1f bytes per event stored (%.2f write units per event"
                + " at 2 WCU per KB in a transaction); index heap %.0f B/event (log only: %.0f)",
            sealed,
            segmentBytes / (double) (sealed * SEGMENT),
            2.0 * segmentBytes / 1024.0 / (sealed * SEGMENT),
            cold.indexCacheBytes() / (double) EVENTS,
            heapPlain / (double) EVENTS));
    report.forEach(line -> System.out.println("index segments cold start: " + line));

    // the cold instance's reads do not grow with the log: N/S segment reads plus the tail
    assertThat(sealed).isPositive();
  }

  static String timed(String what, long start) {
    return String.format("%s: %.2f s, ", what, (System.nanoTime() - start) / 1e9);
  }

  static IndexSegments segments(DynamoDbClient client, DynamoDbTables tables) {
    return new IndexSegments(new DynamoDbIndexSegmentStore(client, tables), SEGMENT, Runnable::run);
  }

  static EventStore store(
      DynamoDbClient client, DynamoDbTables tables, @Nullable IndexSegments segments) {
    return new EventStore(
        new DynamoDbStorageAdapter(client, tables, 0),
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10),
        EventStoreObserver.NONE,
        segments);
  }

  /**
   * Writes {@link #EVENTS} events of about 200 bytes of JSON each (100 subjects, one rare subject
   * every 10,000 events, 3 streams, 5 types, a tag) with {@code BatchWriteItem}, then moves the
   * head: 25 events per request.
   */
  static void bulkLoad(
      DynamoDbClient client, DynamoDbTables tables, DatabaseName db, long generation) {
    String partition = EventItems.partition(db.value(), generation);
    var tx = UUID.randomUUID();
    Instant recorded = Instant.parse("2026-12-06T00:00:00Z");
    String pad = "x".repeat(150);
    var batch = new ArrayList<WriteRequest>(25);
    for (int r = 1; r <= EVENTS; r++) {
      if (r % 25 == 1) {
        tx = UUID.randomUUID();
        recorded = recorded.plusMillis(3);
      }
      var e =
          Event.builder()
              .id("e" + r)
              .source("https://example.com/orders/" + (r % 3))
              .type("Order" + (r % 5))
              .subject(r % 10_000 == 5_000 ? "rare-" + (r / 10_000) : "order-" + (r % 100))
              .tags("shop:" + (r % 7))
              .jsonData("{\"n\":" + r + ",\"pad\":\"" + pad + "\"}")
              .build();
      batch.add(
          WriteRequest.builder()
              .putRequest(
                  PutRequest.builder()
                      .item(EventItems.toItem(partition, r, tx, recorded, e))
                      .build())
              .build());
      if (batch.size() == 25 || r == EVENTS) {
        var items = Map.of(tables.events(), List.copyOf(batch));
        var unprocessed = client.batchWriteItem(b -> b.requestItems(items)).unprocessedItems();
        while (!unprocessed.isEmpty()) {
          var again = unprocessed;
          unprocessed = client.batchWriteItem(b -> b.requestItems(again)).unprocessedItems();
        }
        batch.clear();
      }
    }
    String time = recorded.toString();
    client.updateItem(
        u ->
            u.tableName(tables.databases())
                .key(Map.of(DynamoDbSchema.DB_NAME, AttributeValue.fromS(db.value())))
                .updateExpression("SET revision = :r, revision_time = :t")
                .expressionAttributeValues(
                    Map.of(
                        ":r", AttributeValue.fromN(Integer.toString(EVENTS)),
                        ":t", AttributeValue.fromS(time))));
  }
}
