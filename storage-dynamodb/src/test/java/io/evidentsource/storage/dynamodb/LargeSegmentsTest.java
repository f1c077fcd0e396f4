package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.index.IndexSegment;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Index segments above the store's object threshold kept in S3 (ADR 0011): on moto's DynamoDB and
 * S3, with the threshold lowered to 0 so that every test segment goes to S3.
 */
class LargeSegmentsTest {
  static final int SEGMENT = 40;
  static final int EVENTS = 130; // 3 sealed segments and a tail of 10

  static SegmentedColdStartTest.QueryCounter counter;
  static DynamoDbClient client;
  static S3Client s3;
  static DynamoDbTables tables;
  static String bucketName;
  static DatabaseName db;
  static EventStore writer;

  @BeforeAll
  static void load() {
    counter = new SegmentedColdStartTest.QueryCounter();
    var fresh = DynamoDbFixture.fresh(counter);
    client = fresh.client();
    s3 = fresh.s3();
    tables = fresh.tables();
    bucketName = fresh.bucket();
    db = TckFixtures.uniqueDatabase("large");
    writer = store(new DynamoDbStorageAdapter(client, tables));
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
                .subject("order-" + (r % 17))
                .jsonData("{\"n\":" + r + "}")
                .build());
  }

  static IndexSegmentBucket bucket() {
    return new IndexSegmentBucket(s3, bucketName, tables.prefix());
  }

  static DynamoDbIndexSegmentStore segmentStore() {
    return new DynamoDbIndexSegmentStore(client, tables, bucket(), 0);
  }

  static EventStore store(DynamoDbStorageAdapter adapter) {
    return DynamoDbFixture.eventStore(
        adapter, new IndexSegments(segmentStore(), SEGMENT, Runnable::run));
  }

  /** A second instance with no cache of events and an empty index. */
  static EventStore coldInstance() {
    return store(new DynamoDbStorageAdapter(client, tables, 0));
  }

  static List<String> objects(String prefix) {
    return bucket().list(prefix, 1000);
  }

  static Map<String, AttributeValue> pointer(long first) {
    long generation = writer.database(db).generation();
    return client
        .getItem(
            g ->
                g.tableName(tables.indexes())
                    .consistentRead(true)
                    .key(
                        Map.of(
                            DynamoDbSchema.IX_PK,
                            AttributeValue.fromS(db.value() + "#" + generation),
                            DynamoDbSchema.IX_SK,
                            AttributeValue.fromN(Long.toString(first * 1024)))))
        .item();
  }

  static List<Long> revisions(List<StoredEvent> events) {
    return events.stream().map(StoredEvent::revision).toList();
  }

  @Test
  void a_sealed_range_is_an_object_named_by_a_small_pointer_item() {
    long generation = writer.database(db).generation();
    var keys = objects(bucket().generationPrefix(db.value(), generation));
    assertThat(keys).hasSize(3);
    for (long first = 1; first <= EVENTS; first += SEGMENT) {
      var item = pointer(first);
      if (first + SEGMENT - 1 > EVENTS) {
        assertThat(item).as("the tail is not sealed").isEmpty();
        continue;
      }
      assertThat(item).doesNotContainKey("b").containsKeys("o", "h", "len");
      var key = new IndexSegmentStore.Key(db, generation, first);
      byte[] bytes = segmentStore().get(key).orElseThrow();
      assertThat(IndexSegment.decode(bytes).firstRevision()).isEqualTo(first);
      // the object key is derived from the segment's key and its bytes' SHA-256
      assertThat(item.get("o").s())
          .isEqualTo(bucket().key(key, IndexSegmentBucket.sha256(bytes)))
          .isIn(keys);
    }
    assertThat(segmentStore().summaries(db, generation)).containsOnlyKeys(1L, 41L, 81L);
  }

  @Test
  void a_cold_instance_reads_the_objects_and_only_the_unsealed_tail_of_the_log() {
    var query =
        EventQuery.of(EventSelector.subject("order-5"))
            .withDirection(Direction.BACKWARD)
            .withLimit(100);
    var expected = writer.query(db, query);
    var cold = coldInstance();
    counter.clear();

    var page = cold.query(db, query);

    assertThat(revisions(page.events())).isEqualTo(revisions(expected.events()));
    assertThat(page.events()).isNotEmpty();
    // the log is read for the unsealed tail and the events of the page, no sealed range
    assertThat(counter.items(tables.events()))
        .isLessThanOrEqualTo(EVENTS % SEGMENT + page.events().size());
  }

  @Test
  void a_corrupt_object_is_reported_its_range_served_from_the_log_and_the_object_rewritten() {
    long generation = writer.database(db).generation();
    var key = new IndexSegmentStore.Key(db, generation, 41);
    byte[] sealed = segmentStore().get(key).orElseThrow();
    String objectKey = pointer(41).get("o").s();
    byte[] damaged = sealed.clone();
    damaged[damaged.length / 2] ^= 0x40;
    s3.putObject(b -> b.bucket(bucketName).key(objectKey), RequestBody.fromBytes(damaged));
    // the store never hands out bytes that do not match the pointer's SHA-256
    assertThat(segmentStore().get(key)).hasValueSatisfying(b -> assertThat(b).isEmpty());

    var query = EventQuery.of(EventSelector.startsWith(Attribute.SUBJECT, "order-1"));
    var expected = writer.query(db, query.withLimit(1000));
    var cold = coldInstance();
    var page = cold.query(db, query.withLimit(1000));

    assertThat(revisions(page.events())).isEqualTo(revisions(expected.events()));
    // the range rebuilt from the log replaced the segment: the same bytes, under the same key
    assertThat(segmentStore().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(sealed));
    assertThat(pointer(41).get("o").s()).isEqualTo(objectKey);
    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucketName).key(objectKey)).asByteArray())
        .isEqualTo(sealed);
  }

  @Test
  void a_missing_object_reads_as_a_segment_that_does_not_decode() {
    var store = segmentStore();
    var key = new IndexSegmentStore.Key(TckFixtures.uniqueDatabase("gone"), 1, 1);
    byte[] segment = new byte[5_000];
    new java.util.Random(3).nextBytes(segment);
    assertThat(store.putIfAbsent(key, segment)).isTrue();
    bucket().delete(bucket().key(key, IndexSegmentBucket.sha256(segment)));

    assertThat(store.get(key)).hasValueSatisfying(b -> assertThat(b).isEmpty());
    store.replace(key, segment);
    assertThat(store.get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(segment));
  }

  @Test
  @Timeout(60)
  void racing_sealers_of_one_range_agree_on_one_segment_and_one_object() throws Exception {
    var key = new IndexSegmentStore.Key(TckFixtures.uniqueDatabase("race"), 1, 1);
    byte[] segment = new byte[200_000];
    new java.util.Random(5).nextBytes(segment);
    byte[] summary = new byte[300];
    int sealers = 4;
    var start = new CountDownLatch(1);
    var pool = Executors.newFixedThreadPool(sealers);
    try {
      var results = new ArrayList<Future<Boolean>>();
      for (int i = 0; i < sealers; i++) {
        var store = segmentStore(); // an instance each
        Callable<Boolean> seal =
            () -> {
              start.await();
              return store.putIfAbsent(key, segment.clone(), summary);
            };
        results.add(pool.submit(seal));
      }
      start.countDown();
      var won = new ArrayList<Boolean>();
      for (var f : results) {
        won.add(f.get());
      }
      assertThat(won).containsOnlyOnce(true);
    } finally {
      pool.shutdownNow();
    }
    assertThat(segmentStore().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(segment));
    assertThat(objects(bucket().generationPrefix(key.database().value(), 1)))
        .containsExactly(bucket().key(key, IndexSegmentBucket.sha256(segment)));
  }

  @Test
  void without_a_bucket_a_segment_above_one_transaction_is_refused_naming_the_limit() {
    var store = new DynamoDbIndexSegmentStore(client, tables);
    var key = new IndexSegmentStore.Key(TckFixtures.uniqueDatabase("nobucket"), 1, 1);
    int max = DynamoDbIndexSegmentStore.CHUNK_BYTES * DynamoDbIndexSegmentStore.MAX_CHUNKS;
    assertThat(store.maxSegmentBytes()).isEqualTo(max);
    assertThatThrownBy(() -> store.putIfAbsent(key, new byte[max + 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(max))
        .hasMessageContaining("S3 bucket");
    assertThat(store.get(key)).isEmpty();
    // with a bucket and the default threshold, the same segment goes to S3
    var withBucket = new DynamoDbIndexSegmentStore(client, tables, bucket());
    assertThat(withBucket.objectThreshold()).isEqualTo(max);
    byte[] large = new byte[max + 1];
    new java.util.Random(9).nextBytes(large);
    assertThat(withBucket.putIfAbsent(key, large)).isTrue();
    assertThat(withBucket.get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(large));
    assertThat(objects(bucket().generationPrefix(key.database().value(), 1))).hasSize(1);
  }

  @Test
  @Timeout(120)
  void the_purge_of_a_deleted_database_removes_its_objects_and_pointers() {
    var doomed = TckFixtures.uniqueDatabase("doomed");
    writer.createDatabase(doomed);
    writer.transact(doomed, Transaction.of(TckFixtures.events(25)));
    writer.transact(doomed, Transaction.of(TckFixtures.events(25))); // 1 sealed of 40
    String prefix = bucket().generationPrefix(doomed.value(), 1);
    assertThat(objects(prefix)).hasSize(1);
    writer.deleteDatabase(doomed);

    try (var purger =
        new DatabasePurger(
            client,
            tables,
            new DatabasePurger.Settings(
                UUID.randomUUID().toString(), 1000, Duration.ofMinutes(1), Duration.ofSeconds(30)),
            Clock.systemUTC(),
            bucket())) {
      assertThat(purger.purgeAll()).isEqualTo(1);
    }
    assertThat(objects(prefix)).isEmpty();
    assertThat(
            client
                .query(
                    q ->
                        q.tableName(tables.indexes())
                            .consistentRead(true)
                            .keyConditionExpression("pk = :pk")
                            .expressionAttributeValues(
                                Map.of(":pk", AttributeValue.fromS(doomed.value() + "#1"))))
                .items())
        .isEmpty();
    // the other database's objects stay
    assertThat(objects(bucket().generationPrefix(db.value(), writer.database(db).generation())))
        .hasSize(3);
  }
}
