package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.storage.dynamodb.AppendCostTest.RequestCounter;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Events against DynamoDB's own limits (docs/limits.md#storage, docs/dynamodb.md#large-events), on
 * moto: data above the large-data threshold goes to S3 and comes back unchanged; what no item or
 * transaction can hold is refused with 413-class errors naming the DynamoDB limit before any write.
 * The event store here allows 8 MiB events and 98-event batches, so the storage's limits are the
 * ones that bite.
 */
class LargeEventsTest {
  static final EventLimits GENEROUS = new EventLimits(8 * 1024 * 1024, 98, 1024);

  RequestCounter counter;
  DynamoDbClient client;
  S3Client s3;
  DynamoDbTables tables;
  String bucket;
  DatabaseName db;

  @BeforeEach
  void tables() {
    counter = new RequestCounter();
    var fresh = DynamoDbFixture.fresh(counter);
    client = fresh.client();
    s3 = fresh.s3();
    tables = fresh.tables();
    bucket = fresh.bucket();
    db = TckFixtures.uniqueDatabase("large");
  }

  EventStore store(DynamoDbStorageAdapter adapter) {
    var store =
        new EventStore(
            adapter, GENEROUS, Clock.systemUTC(), UUID::randomUUID, Duration.ofSeconds(10));
    store.createDatabase(db);
    return store;
  }

  DynamoDbStorageAdapter withBucket(int cached) {
    return new DynamoDbStorageAdapter(
        client, tables, cached, new EventDataBucket(s3, bucket, tables.prefix(), 300 * 1024));
  }

  static Event event(String id, EventData data) {
    return Event.builder()
        .id(id)
        .source("https://example.com/large")
        .type("com.example.Large")
        .data(data)
        .build();
  }

  static byte[] bytes(int n, int seed) {
    var out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (i * 31 + seed);
    }
    return out;
  }

  static String json(int n) {
    return "{\"blob\":\"" + "x".repeat(n - 11) + "\"}";
  }

  @Nested
  class claim_check {
    @Test
    void data_over_the_threshold_is_kept_in_s3_and_read_back_unchanged() {
      var store = store(withBucket(1000));
      var binary = new EventData.Binary(bytes(1_500_000, 7));
      var jsonData = EventData.Json.of(json(500_000));
      var text = new EventData.Text("é".repeat(200_000)); // 400,000 bytes of UTF-8
      var small = EventData.Json.of("{\"n\":1}");
      var events =
          List.of(event("b", binary), event("j", jsonData), event("t", text), event("s", small));

      var result = store.transact(db, Transaction.of(events));

      assertThat(result.revision()).isEqualTo(4);
      // read by another adapter without a cache: from the items and the bucket
      var reader = withBucket(0);
      var info = reader.findDatabase(db).orElseThrow();
      List<StoredEvent> read = reader.readRange(db, info.generation(), 1, 4);
      assertThat(read)
          .extracting(e -> e.event().data())
          .containsExactly(binary, jsonData, text, small);
      assertThat(reader.readRevisions(db, info.generation(), new long[] {2}))
          .extracting(e -> e.event().data())
          .containsExactly(jsonData);

      // the items hold a reference instead of the bytes, except the small one
      var item = eventItem(info.generation(), 1);
      assertThat(item).containsKey(EventItems.DATA_REF).doesNotContainKey("data");
      assertThat(item.get("dk").s()).isEqualTo("binary");
      assertThat(eventItem(info.generation(), 4)).containsKey("data").doesNotContainKey("dref");
      String key = tables.prefix() + "/data/" + item.get(EventItems.DATA_REF).s();
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray())
          .isEqualTo(binary.bytes());
    }

    @Test
    void a_transaction_of_large_events_counts_their_references_against_the_4_mb_limit() {
      var store = store(withBucket(1000));
      var events = new ArrayList<Event>();
      for (int i = 0; i < 4; i++) {
        events.add(event("big-" + i, new EventData.Binary(bytes(1_200_000, i))));
      }

      var result = store.transact(db, Transaction.of(events)); // 4.8 MB of data

      assertThat(result.eventCount()).isEqualTo(4);
      var reader = withBucket(0);
      var read = reader.readRange(db, reader.findDatabase(db).orElseThrow().generation(), 1, 4);
      assertThat(((EventData.Binary) read.get(3).event().data()).bytes())
          .isEqualTo(bytes(1_200_000, 3));
    }

    @Test
    void a_bucket_object_that_does_not_match_its_digest_is_an_error_not_wrong_data() {
      var store = store(withBucket(0));
      store.transact(
          db, Transaction.of(List.of(event("b", new EventData.Binary(bytes(400_000, 1))))));
      var item = eventItem(1, 1);
      String key = tables.prefix() + "/data/" + item.get(EventItems.DATA_REF).s();
      s3.putObject(
          b -> b.bucket(bucket).key(key),
          software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes(400_000, 2)));

      var failure =
          catchThrowableOfType(
              EvidentSourceException.class, () -> withBucket(0).readRange(db, 1, 1, 1));

      assertThat(failure.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(failure).hasMessageContaining("does not match its SHA-256");
    }
  }

  @Nested
  class limits {
    @Test
    void an_event_over_the_item_limit_without_a_bucket_is_event_too_large_before_any_write() {
      var store = store(new DynamoDbStorageAdapter(client, tables, 1000));
      counter.counts.clear();

      var failure =
          catchThrowableOfType(
              EvidentSourceException.class,
              () ->
                  store.transact(
                      db,
                      Transaction.of(
                          List.of(
                              event("ok", EventData.Json.of("{}")),
                              event("big", new EventData.Binary(bytes(500 * 1024, 0)))))));

      assertThat(failure.code()).isEqualTo(ErrorCode.EVENT_TOO_LARGE);
      assertThat(failure.fields())
          .containsEntry("limit", 409_600L)
          .containsEntry("limit_name", "DynamoDB item size")
          .containsEntry("index", 1);
      assertThat((long) failure.fields().get("actual")).isGreaterThan(500L * 1024);
      assertThat(failure).hasMessageContaining("400 KB");
      assertThat(counter.snapshot()).doesNotContainKey("TransactWriteItems");
    }

    @Test
    void attributes_over_the_item_limit_are_event_too_large_even_with_a_bucket() {
      var store = store(withBucket(1000));
      var huge =
          Event.builder()
              .id("x")
              .source("https://example.com/large")
              .type("com.example.Large")
              .extension("note", "n".repeat(420 * 1024))
              .build();

      var failure =
          catchThrowableOfType(
              EvidentSourceException.class,
              () -> store.transact(db, Transaction.of(List.of(huge))));

      assertThat(failure.code()).isEqualTo(ErrorCode.EVENT_TOO_LARGE);
      assertThat(failure.fields()).containsEntry("limit_name", "DynamoDB item size");
    }

    @Test
    void ninety_eight_events_of_60_kb_are_transaction_too_large_before_any_write() {
      var store = store(withBucket(1000));
      var events = new ArrayList<Event>();
      for (int i = 0; i < 98; i++) {
        events.add(event("e-" + i, EventData.Json.of(json(60 * 1024))));
      }
      counter.counts.clear();

      var failure =
          catchThrowableOfType(
              EvidentSourceException.class, () -> store.transact(db, Transaction.of(events)));

      assertThat(failure.code()).isEqualTo(ErrorCode.TRANSACTION_TOO_LARGE);
      assertThat(failure.fields())
          .containsEntry("limit", 4_194_304L)
          .containsEntry("limit_name", "DynamoDB transaction size");
      assertThat((long) failure.fields().get("actual")).isGreaterThan(98L * 60 * 1024);
      assertThat(counter.snapshot()).doesNotContainKey("TransactWriteItems");
      assertThat(store.database(db).revision()).isZero();
    }

    @Test
    void the_largest_transaction_that_fits_commits() {
      var store = store(withBucket(1000));
      var events = new ArrayList<Event>();
      for (int i = 0; i < 13; i++) { // 13 × 300 KiB (not offloaded: at the threshold) < 4 MiB
        events.add(event("e-" + i, new EventData.Binary(bytes(300 * 1024, i))));
      }

      assertThat(store.transact(db, Transaction.of(events)).eventCount()).isEqualTo(13);
      assertThat(eventItem(1, 13)).containsKey("data");
    }
  }

  private Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> eventItem(
      long generation, long revision) {
    return client
        .getItem(
            b ->
                b.tableName(tables.events())
                    .consistentRead(true)
                    .key(
                        Map.of(
                            DynamoDbSchema.EV_PK,
                            EventItems.s(EventItems.partition(db.value(), generation)),
                            DynamoDbSchema.EV_SK,
                            EventItems.n(revision))))
        .item();
  }
}
