package io.evidentsource.storage.dynamodb.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.port.StorageCapabilities;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.storage.dynamodb.DynamoDbClients;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbSchema;
import io.evidentsource.storage.dynamodb.DynamoDbStorage;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.NotificationRelay;
import io.evidentsource.storage.dynamodb.PublishingStorageAdapter;
import io.evidentsource.storage.tck.TckFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import tools.jackson.databind.JsonNode;

/**
 * Every committed transaction reaches an SQS queue subscribed to the SNS topic, in revision order
 * per database, also after a crash between commit and publish. All of it runs on the moto server
 * (DynamoDB, SNS and SQS APIs; see {@code MotoServer}).
 */
class SnsNotificationTest {
  private final DynamoDbClients.Settings settings = DynamoDbFixture.settings();
  private final DynamoDbClient dynamo = DynamoDbFixture.client();
  private final SnsClient sns = SnsClients.sns(settings);
  private final SqsClient sqs = DynamoDbClients.configure(SqsClient.builder(), settings).build();
  private final List<NotificationRelay> relays = new ArrayList<>();
  private DynamoDbStorageAdapter storage;
  private String topicArn;
  private String queueUrl;

  @BeforeEach
  void topicAndQueue() {
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(dynamo, tables, true);
    storage = new DynamoDbStorageAdapter(dynamo, tables);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    topicArn = sns.createTopic(b -> b.name("commits-" + suffix)).topicArn();
    queueUrl = SnsFixture.subscribedQueue(sqs, sns, topicArn, "listener-" + suffix, false);
  }

  @AfterEach
  void stopRelays() {
    relays.forEach(NotificationRelay::close);
  }

  private NotificationRelay relay(EventPublisher publisher) {
    var relay = SnsFixture.relay(storage, dynamo, publisher);
    relays.add(relay);
    return relay;
  }

  @Test
  @Timeout(120)
  void every_transaction_arrives_once_in_revision_order_with_its_attributes() {
    var relay = relay(new SnsEventPublisher(sns, topicArn));
    var store = EventStore.create(new PublishingStorageAdapter(storage, relay));
    var a = TckFixtures.uniqueDatabase("sns-a");
    var b = TckFixtures.uniqueDatabase("sns-b");
    store.createDatabase(a);
    store.createDatabase(b);
    var committed = new HashMap<DatabaseName, List<TransactionResult>>();
    for (int i = 0; i < 12; i++) {
      DatabaseName db = i % 3 == 0 ? b : a;
      var result = store.transact(db, Transaction.of(TckFixtures.events(1 + i % 4)));
      committed.computeIfAbsent(db, k -> new ArrayList<>()).add(result);
    }

    var received = receive(revisionsOf(committed));

    for (var db : List.of(a, b)) {
      var expected = committed.get(db);
      var messages = received.get(db.value());
      assertThat(messages).as("messages for %s", db).hasSameSizeAs(expected);
      for (int i = 0; i < expected.size(); i++) {
        var m = messages.get(i);
        var r = expected.get(i);
        assertThat(m.first()).isEqualTo(r.firstRevision());
        assertThat(m.last()).isEqualTo(r.revision());
        assertThat(m.events()).extracting(StoredEvent::revision).isSortedAccordingTo(Long::compare);
        assertThat(m.events()).hasSize(r.eventCount());
        assertThat(m.events()).extracting(StoredEvent::recordedTime).containsOnly(r.recordedTime());
        assertThat(m.events())
            .extracting(StoredEvent::event)
            .isEqualTo(
                storage
                    .readRange(db, store.database(db).generation(), r.firstRevision(), r.revision())
                    .stream()
                    .map(StoredEvent::event)
                    .toList());
      }
    }
  }

  @Test
  @Timeout(120)
  void an_event_too_large_for_sns_is_announced_by_reference_and_later_transactions_follow() {
    var relay = relay(new SnsEventPublisher(sns, topicArn));
    var store =
        new EventStore(
            new PublishingStorageAdapter(storage, relay),
            new EventLimits(1024 * 1024, 25, 1024),
            Clock.systemUTC(),
            UUID::randomUUID,
            Duration.ofSeconds(10));
    var db = TckFixtures.uniqueDatabase("sns-large");
    store.createDatabase(db);
    var large =
        Event.builder()
            .id("large")
            .source("https://example.com/large")
            .type("com.example.Large")
            .jsonData("{\"blob\":\"" + "x".repeat(300 * 1024) + "\"}") // over SNS's 256 KiB
            .build();
    var small = TckFixtures.event("small");
    store.transact(db, Transaction.of(List.of(small, large)));
    long last = store.transact(db, Transaction.of(TckFixtures.events(1))).revision();

    var messages = receive(Map.of(db, last)).get(db.value());

    assertThat(messages).extracting(Message::first).containsExactly(1L, 3L);
    var announced = messages.get(0).events();
    assertThat(announced).extracting(e -> e.event().id()).containsExactly(small.id(), "large");
    assertThat(announced.get(0).event()).isEqualTo(small);
    assertThat(announced.get(1).event().data()).isNull();
    assertThat(announced.get(1).event().extensions())
        .containsEntry("dataref", "/api/v1/databases/" + db.value() + "/events/2");
    assertThat(store.event(db, 2).event()).isEqualTo(large);
  }

  @Test
  @Timeout(120)
  void the_assembled_module_stores_in_dynamodb_and_announces_every_commit_on_the_topic() {
    var tables = DynamoDbFixture.freshTables();
    try (Storage assembled =
        DynamoDbSnsStorage.create(
            DynamoDbStorage.builder()
                .clientSettings(settings)
                .tables(tables)
                .componentsBucket(DynamoDbFixture.freshBucket())
                .createMissing(true)
                .publishSweep(Duration.ofMillis(300)),
            topicArn)) {
      assertThat(assembled.capabilities())
          .isEqualTo(new StorageCapabilities(StorageCapabilities.Notifications.POLLING, true));
      var store = EventStore.create(assembled.log());
      var db = TckFixtures.uniqueDatabase("sns-module");
      store.createDatabase(db);
      var committed = new ArrayList<TransactionResult>();
      for (int i = 0; i < 3; i++) {
        committed.add(store.transact(db, Transaction.of(TckFixtures.events(2))));
      }

      var received = receive(Map.of(db, 6L));

      assertThat(received.get(db.value()))
          .extracting(Message::first)
          .containsExactlyElementsOf(
              committed.stream().map(TransactionResult::firstRevision).toList())
          .containsExactly(1L, 3L, 5L);
      // the log really is the shared DynamoDB one
      assertThat(new DynamoDbStorageAdapter(dynamo, tables).findDatabase(db))
          .get()
          .extracting(i -> i.revision())
          .isEqualTo(6L);
    }
  }

  @Test
  @Timeout(120)
  void a_crash_between_commit_and_publish_is_caught_up_by_the_relay_of_another_instance() {
    // instance 1 commits, then "crashes" before any publish reaches SNS
    var attempts = new AtomicInteger();
    EventPublisher crashed =
        (db, tx) -> {
          attempts.incrementAndGet();
          throw new IllegalStateException("instance 1 died between commit and publish");
        };
    var store1 = EventStore.create(new PublishingStorageAdapter(storage, relay(crashed)));
    var db = TckFixtures.uniqueDatabase("sns-crash");
    store1.createDatabase(db);
    var committed = new ArrayList<TransactionResult>();
    for (int i = 0; i < 5; i++) {
      committed.add(store1.transact(db, Transaction.of(TckFixtures.events(2))));
    }
    assertThat(committed)
        .extracting(TransactionResult::revision)
        .containsExactly(2L, 4L, 6L, 8L, 10L);
    var relay1 = relays.get(0);
    relay1.close();
    assertThatThrownBy(() -> relay1.publishPending(db)).hasMessageContaining("died");
    assertThat(relay1.watermark(db)).isZero();

    // instance 2's relay sweeps all databases and publishes what was left unannounced
    var relay2 = relay(new SnsEventPublisher(sns, topicArn));
    relay2.start();
    var received = receive(Map.of(db, 10L));

    assertThat(received.get(db.value()))
        .extracting(Message::first)
        .containsExactly(1L, 3L, 5L, 7L, 9L);
    assertThat(relay2.watermark(db)).isEqualTo(10);
    assertThat(attempts.get()).isPositive();
  }

  record Message(String database, long first, long last, List<StoredEvent> events) {}

  private static Map<DatabaseName, Long> revisionsOf(Map<DatabaseName, List<TransactionResult>> c) {
    var out = new HashMap<DatabaseName, Long>();
    c.forEach((db, results) -> out.put(db, results.get(results.size() - 1).revision()));
    return out;
  }

  /**
   * Reads the queue until every database reached its last revision; messages are grouped per
   * database in arrival order, dropping only exact re-deliveries of a revision already seen (at
   * least once), and a message that skips ahead fails the test.
   */
  private Map<String, List<Message>> receive(Map<DatabaseName, Long> lastRevisions) {
    var out = new HashMap<String, List<Message>>();
    var seen = new HashMap<String, Long>();
    while (lastRevisions.entrySet().stream()
        .anyMatch(e -> seen.getOrDefault(e.getKey().value(), 0L) < e.getValue())) {
      var batch =
          sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1));
      for (var m : batch.messages()) {
        JsonNode envelope = JsonSupport.parse(m.body().getBytes(StandardCharsets.UTF_8));
        JsonNode attributes = envelope.get("MessageAttributes");
        String database = attributes.get("database").get("Value").stringValue();
        long first = Long.parseLong(attributes.get("first_revision").get("Value").stringValue());
        long last = Long.parseLong(attributes.get("last_revision").get("Value").stringValue());
        byte[] body = envelope.get("Message").stringValue().getBytes(StandardCharsets.UTF_8);
        var events = new ArrayList<StoredEvent>();
        for (JsonNode e : JsonSupport.parse(body)) {
          events.add(CloudEventJson.readStoredEvent(e));
        }
        long before = seen.getOrDefault(database, 0L);
        if (last <= before) {
          continue; // a re-delivery
        }
        assertThat(first)
            .as("next message of %s after revision %d", database, before)
            .isEqualTo(before + 1);
        seen.put(database, last);
        out.computeIfAbsent(database, k -> new ArrayList<>())
            .add(new Message(database, first, last, events));
        sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
      }
    }
    return out;
  }
}
