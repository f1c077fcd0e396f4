package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.index.IndexSegment;
import io.evidentsource.core.index.IndexSegmentRebuilder;
import io.evidentsource.core.index.SegmentSummary;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.QueryPage;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
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
 * never times. {@code -Dsegments.skipFullLog=true} leaves out the two rows that build a whole index
 * from the log (an instance without segments, and the first instance with segments, which seals):
 * an index rebuild ({@link IndexSegmentRebuilder}, one segment's events at a time) seals the
 * segments instead, and the cold rows are checked against the walks by hand only.
 */
class SegmentColdStartCostTest {
  static final int EVENTS = Integer.getInteger("segments.events", 3_000);
  static final int SEGMENT = Integer.getInteger("segments.size", 1_000);
  static final boolean SKIP_FULL_LOG = Boolean.getBoolean("segments.skipFullLog");

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

    // today: no segments, the whole log (not with -Dsegments.skipFullLog=true)
    var plain = SKIP_FULL_LOG ? null : store(client, tables, null);
    long start = System.nanoTime();
    QueryPage expected = null;
    long heapPlain = 0;
    if (plain != null) {
      expected = plain.query(db, newest);
      report.add(timed("log only, first query (a)", start) + meter.reset());
      heapPlain = plain.indexCacheBytes();
    }

    // the first instance with segments reads the log and seals every whole range; or, with
    // -Dsegments.skipFullLog=true, an index rebuild seals them one segment's events at a time
    start = System.nanoTime();
    if (plain != null) {
      store(client, tables, segments(client, tables)).query(db, newest);
      report.add(timed("segments, first instance (reads the log, seals)", start) + meter.reset());
    } else {
      var adapter = new DynamoDbStorageAdapter(client, tables, 0);
      var unused =
          new IndexSegmentRebuilder(adapter, segments(client, tables))
              .rebuild(adapter.findDatabase(db).orElseThrow(), p -> {});
      report.add(timed("segments sealed by an index rebuild", start) + meter.reset());
    }

    Consumer<String> note = report::add;
    // (a) one subject's 100 newest events
    var cold = store(client, tables, segments(client, tables));
    start = System.nanoTime();
    var page = cold.query(db, newest);
    note.accept(
        timed("segments, cold instance (query engine), (a) 100 newest of a subject", start)
            + meter.reset());
    if (expected != null) {
      assertThat(page.events()).isEqualTo(expected.events());
    }
    // (b) a max condition on a rare subject, (c) a prefix query, each on its own cold instance
    var coldB = store(client, tables, segments(client, tables));
    start = System.nanoTime();
    var checks = coldB.checkConditions(coldB.database(db), condition);
    note.accept(
        timed("segments, cold instance (query engine), (b) max on a rare subject", start)
            + meter.reset());
    if (plain != null) {
      assertThat(checks).isEqualTo(plain.checkConditions(plain.database(db), condition));
    }
    var coldC = store(client, tables, segments(client, tables));
    start = System.nanoTime();
    var pageC = coldC.query(db, prefix);
    note.accept(
        timed("segments, cold instance (query engine), (c) prefix query", start) + meter.reset());
    meter.reset();

    int sealed = EVENTS / SEGMENT;
    long segmentBytes = 0;
    var segmentStore = new DynamoDbIndexSegmentStore(client, tables);
    for (int k = 0; k < sealed; k++) {
      segmentBytes +=
          segmentStore
              .get(new IndexSegmentStore.Key(db, generation, 1L + (long) k * SEGMENT))
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
    // the same walks run by hand over the stored summaries (what the engine should read at most)
    long expectedRare =
        plain == null
            ? checks.get(0).actualRevision()
            : plain
                .query(
                    db,
                    EventQuery.of(EventSelector.subject("rare-1"))
                        .withDirection(Direction.BACKWARD)
                        .withLimit(1))
                .events()
                .stream()
                .mapToLong(StoredEvent::revision)
                .findFirst()
                .orElse(0);
    var adapter = new DynamoDbStorageAdapter(client, tables, 0);
    meter.reset();
    var walkA = lazyWalk(adapter, segmentStore, db, rare, true, 100);
    report.add("lazy walk (a) 100 newest of a subject: " + walkA + ", " + meter.reset());
    assertThat(walkA.revisions())
        .containsExactlyElementsOf(page.events().stream().map(StoredEvent::revision).toList());
    var walkB = lazyWalk(adapter, segmentStore, db, EventSelector.subject("rare-1"), true, 1);
    report.add("lazy walk (b) max on a rare subject: " + walkB + ", " + meter.reset());
    assertThat(walkB.revisions()).isEqualTo(expectedRare == 0 ? List.of() : List.of(expectedRare));
    var walkC = lazyWalk(adapter, segmentStore, db, prefix.selector(), false, 100);
    report.add("lazy walk (c) prefix query: " + walkC + ", " + meter.reset());
    assertThat(walkC.revisions())
        .containsExactlyElementsOf(
            (plain == null ? pageC : plain.query(db, prefix))
                .events().stream().map(StoredEvent::revision).toList());
    long summaryBytes = 0;
    for (byte[] b : segmentStore.summaries(db, generation).values()) {
      summaryBytes += b.length;
    }
    report.add(
        String.format(
            "summaries: %d, %.0f bytes each on average", sealed, summaryBytes / (double) sealed));
    report.forEach(line -> System.out.println("index segments cold start: " + line));

    // the cold instance's reads do not grow with the log: N/S segment reads plus the tail
    assertThat(sealed).isPositive();
  }

  /**
   * What a walk of ADR 0011's lazy read path reads, counted: segments loaded and skipped by their
   * summary, and the revisions found (the first {@code wanted}, newest or oldest first).
   */
  record Walk(int loaded, int skipped, int tailEvents, List<Long> revisions) {
    @Override
    public String toString() {
      return String.format(
          "%d segments loaded, %d skipped by their summary, %d tail events read, %d found",
          loaded, skipped, tailEvents, revisions.size());
    }
  }

  /**
   * A cold instance's read of the first {@code wanted} revisions matching {@code selector}, newest
   * or oldest first, as ADR 0011's lazy path does it, by hand (the reference for the query engine's
   * own cold rows): the database's catalog item, every summary (one Query per MB), the unsealed
   * tail from the log, then only the segments whose summary may match, in order, until {@code
   * wanted} revisions are known, then those revisions' events (a {@code max} condition, {@code
   * wanted} = 1, reads no event).
   */
  static Walk lazyWalk(
      DynamoDbStorageAdapter adapter,
      DynamoDbIndexSegmentStore store,
      DatabaseName db,
      EventSelector selector,
      boolean newestFirst,
      int wanted) {
    var info = adapter.findDatabase(db).orElseThrow();
    var summaries = store.summaries(db, info.generation());
    long sealedTo = summaries.isEmpty() ? 0 : summaries.lastEntry().getKey() + SEGMENT - 1;
    var tail = new ArrayList<Long>();
    for (long from = sealedTo + 1; from <= info.revision(); from += 1_000) {
      for (var e :
          adapter.readRange(db, info.generation(), from, Math.min(info.revision(), from + 999))) {
        if (selector.matches(e.event())) {
          tail.add(e.revision());
        }
      }
    }
    var found = new ArrayList<Long>();
    if (newestFirst) {
      for (int i = tail.size() - 1; i >= 0; i--) {
        found.add(tail.get(i));
      }
    }
    int loaded = 0;
    int skipped = 0;
    var firsts = newestFirst ? summaries.descendingKeySet() : summaries.navigableKeySet();
    for (long first : firsts) {
      if (found.size() >= wanted) {
        break;
      }
      if (!SegmentSummary.decode(summaries.get(first)).mayMatch(selector)) {
        skipped++;
        continue;
      }
      var key = new IndexSegmentStore.Key(db, info.generation(), first);
      int[] matching = IndexSegment.decode(store.get(key).orElseThrow()).matching(selector);
      loaded++;
      for (int i = 0; i < matching.length; i++) {
        found.add((long) matching[newestFirst ? matching.length - 1 - i : i]);
      }
    }
    if (!newestFirst) {
      found.addAll(tail);
    }
    var revisions = List.copyOf(found.subList(0, Math.min(wanted, found.size())));
    if (wanted > 1 && !revisions.isEmpty()) {
      adapter.readRevisions(
          db, info.generation(), revisions.stream().mapToLong(Long::longValue).toArray());
    }
    return new Walk(loaded, skipped, (int) (info.revision() - sealedTo), revisions);
  }

  static String timed(String what, long start) {
    return String.format("%s: %.2f s, ", what, (System.nanoTime() - start) / 1e9);
  }

  static IndexSegments segments(DynamoDbClient client, DynamoDbTables tables) {
    return new IndexSegments(new DynamoDbIndexSegmentStore(client, tables), SEGMENT, Runnable::run);
  }

  static EventStore store(
      DynamoDbClient client, DynamoDbTables tables, @Nullable IndexSegments segments) {
    return DynamoDbFixture.eventStore(new DynamoDbStorageAdapter(client, tables, 0), segments);
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
