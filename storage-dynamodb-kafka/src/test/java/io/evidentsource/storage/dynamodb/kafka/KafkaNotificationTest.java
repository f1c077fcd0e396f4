package io.evidentsource.storage.dynamodb.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.core.port.Storage;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbStorage;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.NotificationRelay;
import io.evidentsource.storage.dynamodb.PublishingStorageAdapter;
import io.evidentsource.storage.tck.TckFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Every committed event reaches a real Kafka broker (KRaft, in this JVM) as one record keyed by its
 * database, and a consumer reads each database's events back in revision order, also those a
 * crashed instance left unpublished. DynamoDB is the moto server ({@code MotoServer}).
 */
class KafkaNotificationTest {
  private static final String TOPIC = "evidentsource-commits";
  private static EmbeddedKafkaKraftBroker broker;

  private final List<NotificationRelay> relays = new ArrayList<>();
  private final List<KafkaEventPublisher> publishers = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    broker = new EmbeddedKafkaKraftBroker(1, 3, TOPIC);
    broker.afterPropertiesSet();
  }

  @AfterAll
  static void stopBroker() {
    broker.destroy();
  }

  private NotificationRelay relay(DynamoDbStorageAdapter storage, EventPublisher publisher) {
    var relay =
        DynamoDbFixture.relay(
            storage,
            DynamoDbFixture.client(),
            publisher,
            Duration.ofSeconds(2),
            Duration.ofMillis(300));
    relays.add(relay);
    return relay;
  }

  private KafkaEventPublisher publisher() {
    var p =
        KafkaEventPublisher.create(broker.getBrokersAsString(), TOPIC, 5, Duration.ofSeconds(30));
    publishers.add(p);
    return p;
  }

  @AfterEach
  void close() {
    relays.forEach(NotificationRelay::close);
    publishers.forEach(KafkaEventPublisher::close);
  }

  @Test
  @Timeout(180)
  void a_consumer_reads_every_event_of_the_assembled_module_keyed_by_database_in_order() {
    var tables = DynamoDbFixture.freshTables();
    try (Storage assembled =
        DynamoDbKafkaStorage.create(
            DynamoDbStorage.builder()
                .clientSettings(DynamoDbFixture.settings())
                .tables(tables)
                .componentsBucket(DynamoDbFixture.freshBucket())
                .createMissing(true)
                .publishSweep(Duration.ofMillis(300)),
            new DynamoDbKafkaStorage.Settings(
                broker.getBrokersAsString(), TOPIC, 5, Duration.ofSeconds(30)))) {
      var storage = new DynamoDbStorageAdapter(DynamoDbFixture.client(), tables);
      var store = EventStore.create(assembled.log());
      var a = TckFixtures.uniqueDatabase("kafka-a");
      var b = TckFixtures.uniqueDatabase("kafka-b");
      store.createDatabase(a);
      store.createDatabase(b);
      var expected = new HashMap<String, Long>();
      for (int i = 0; i < 10; i++) {
        DatabaseName db = i % 2 == 0 ? a : b;
        var r = store.transact(db, Transaction.of(TckFixtures.events(1 + i % 3)));
        expected.put(db.value(), r.revision());
      }

      var records = consume(expected);
      printPublishLag(records);

      for (var db : List.of(a, b)) {
        var mine = records.get(db.value());
        assertThat(mine)
            .extracting(r -> CloudEventJson.readStoredEvent(r.value()).revision())
            .as("revisions of %s as consumed", db)
            .isEqualTo(range(1, expected.get(db.value())));
        var stored = storage.readRange(db, store.database(db).generation(), 1, 100);
        for (int i = 0; i < mine.size(); i++) {
          var record = mine.get(i);
          StoredEvent back = CloudEventJson.readStoredEvent(record.value());
          assertThat(back).isEqualTo(stored.get(i));
          assertThat(header(record, "content-type")).startsWith("application/cloudevents+json");
          assertThat(header(record, "ce_id")).isEqualTo(back.event().id());
          assertThat(header(record, "ce_revision")).isEqualTo(Long.toString(back.revision()));
          // a CloudEvents SDK reads the record as a structured-mode event
          CloudEvent sdk = KafkaMessageFactory.createReader(record).toEvent();
          assertThat(sdk.getId()).isEqualTo(back.event().id());
          assertThat(sdk.getType()).isEqualTo(back.event().type());
          assertThat(sdk.getExtension("revision")).isNotNull();
        }
      }
    }
  }

  @Test
  @Timeout(180)
  void an_event_too_large_for_a_record_is_announced_by_reference_and_later_ones_follow() {
    var tables = DynamoDbFixture.freshTables();
    try (Storage assembled =
        DynamoDbKafkaStorage.create(
            DynamoDbStorage.builder()
                .clientSettings(DynamoDbFixture.settings())
                .tables(tables)
                .componentsBucket(DynamoDbFixture.freshBucket())
                .createMissing(true)
                .publishSweep(Duration.ofMillis(300)),
            new DynamoDbKafkaStorage.Settings(
                broker.getBrokersAsString(), TOPIC, 5, Duration.ofSeconds(30)))) {
      var store =
          new EventStore(
              assembled.log(),
              new EventLimits(4 * 1024 * 1024, 25, 1024),
              Clock.systemUTC(),
              UUID::randomUUID,
              Duration.ofSeconds(10));
      var db = TckFixtures.uniqueDatabase("kafka-large");
      store.createDatabase(db);
      var big = new byte[1_200_000]; // kept in S3 by the log, too large for a 1 MB record
      Arrays.fill(big, (byte) 7);
      var large =
          Event.builder()
              .id("large")
              .source("https://example.com/large")
              .type("com.example.Large")
              .data(new EventData.Binary(big))
              .build();
      store.transact(db, Transaction.of(List.of(large)));
      long last = store.transact(db, Transaction.of(TckFixtures.events(1))).revision();

      var records = consume(Map.of(db.value(), last)).get(db.value());

      assertThat(records).hasSize(2);
      StoredEvent announced = CloudEventJson.readStoredEvent(records.get(0).value());
      assertThat(announced.event().id()).isEqualTo("large");
      assertThat(announced.event().data()).isNull();
      assertThat(announced.event().extensions())
          .containsEntry("dataref", "/api/v1/databases/" + db.value() + "/events/1");
      assertThat(header(records.get(0), "ce_dataref"))
          .isEqualTo("/api/v1/databases/" + db.value() + "/events/1");
      assertThat(CloudEventJson.readStoredEvent(records.get(1).value()).event().data()).isNotNull();
      // the complete event is where the reference points
      assertThat(store.event(db, 1).event().data()).isEqualTo(new EventData.Binary(big));
    }
  }

  @Test
  @Timeout(180)
  void a_crash_between_commit_and_publish_is_caught_up_by_another_instance() {
    DynamoDbStorageAdapter storage = DynamoDbFixture.adapter();
    EventPublisher dead =
        (db, tx) -> {
          throw new IllegalStateException("instance 1 died between commit and publish");
        };
    var relay1 = relay(storage, dead);
    var store1 = EventStore.create(new PublishingStorageAdapter(storage, relay1));
    var db = TckFixtures.uniqueDatabase("kafka-crash");
    store1.createDatabase(db);
    long last = 0;
    for (int i = 0; i < 4; i++) {
      last = store1.transact(db, Transaction.of(TckFixtures.events(3))).revision();
    }
    relay1.close();

    var relay2 = relay(storage, publisher());
    relay2.start();
    var records = consume(Map.of(db.value(), last));

    assertThat(records.get(db.value()))
        .extracting(r -> CloudEventJson.readStoredEvent(r.value()).revision())
        .isEqualTo(range(1, last));
  }

  /**
   * Prints the lag from commit (recorded time) to the producer's record timestamp; a measurement
   * for docs/benchmarks.md, not an assertion.
   */
  private static void printPublishLag(Map<String, List<ConsumerRecord<String, byte[]>>> records) {
    var lags = new ArrayList<Long>();
    records
        .values()
        .forEach(
            list ->
                list.forEach(
                    r ->
                        lags.add(
                            r.timestamp()
                                - CloudEventJson.readStoredEvent(r.value())
                                    .recordedTime()
                                    .toEpochMilli())));
    lags.sort(null);
    System.out.printf(
        "kafka publish lag after commit over %d records: p50 %d ms, p99 %d ms, max %d ms%n",
        lags.size(),
        lags.get(lags.size() / 2),
        lags.get((int) Math.ceil(lags.size() * 0.99) - 1),
        lags.get(lags.size() - 1));
  }

  private static List<Long> range(long from, long to) {
    var out = new ArrayList<Long>();
    for (long r = from; r <= to; r++) {
      out.add(r);
    }
    return out;
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /**
   * Reads the topic from the beginning until each database reached its last revision; records of
   * other tests' databases are ignored, re-deliveries of a revision already seen dropped.
   */
  private Map<String, List<ConsumerRecord<String, byte[]>>> consume(Map<String, Long> last) {
    var props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    var out = new HashMap<String, List<ConsumerRecord<String, byte[]>>>();
    var seen = new HashMap<String, Long>();
    try (var consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      while (last.entrySet().stream()
          .anyMatch(e -> seen.getOrDefault(e.getKey(), 0L) < e.getValue())) {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          if (!last.containsKey(record.key())) {
            continue;
          }
          long revision = CloudEventJson.readStoredEvent(record.value()).revision();
          long before = seen.getOrDefault(record.key(), 0L);
          if (revision <= before) {
            continue;
          }
          assertThat(revision).as("next record of %s", record.key()).isEqualTo(before + 1);
          seen.put(record.key(), revision);
          out.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
        }
      }
    }
    return out;
  }
}
