package io.evidentsource.storage.dynamodb.sns;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.storage.dynamodb.DynamoDbClients;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbSchema;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.NotificationRelay;
import io.evidentsource.storage.dynamodb.PublishingStorageAdapter;
import io.evidentsource.storage.tck.TckFixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import tools.jackson.databind.JsonNode;

/**
 * An SNS FIFO topic ({@code .fifo}) with a FIFO SQS queue behind it, on the moto server: each
 * database's transactions form one message group in revision order, and a transaction published
 * again (the relay's at-least-once retry after a crash) carries the same deduplication id, so the
 * queue delivers it once (docs/dynamodb.md#notifications).
 */
class SnsFifoTest {
  private final DynamoDbClients.Settings settings = DynamoDbFixture.settings();
  private final DynamoDbClient dynamo = DynamoDbFixture.client();
  private final SnsClient sns = SnsClients.sns(settings);
  private final SqsClient sqs = DynamoDbClients.configure(SqsClient.builder(), settings).build();
  private DynamoDbStorageAdapter storage;
  private NotificationRelay relay;
  private String topicArn;
  private String queueUrl;

  @BeforeEach
  void fifoTopicAndQueue() {
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(dynamo, tables, true);
    storage = new DynamoDbStorageAdapter(dynamo, tables);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    topicArn =
        sns.createTopic(
                b -> b.name("commits-" + suffix + ".fifo").attributes(Map.of("FifoTopic", "true")))
            .topicArn();
    queueUrl =
        SnsFixture.subscribedQueue(sqs, sns, topicArn, "listener-" + suffix + ".fifo", false);
    relay = SnsFixture.relay(storage, dynamo, new SnsEventPublisher(sns, topicArn));
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  @Test
  @Timeout(120)
  void each_database_is_one_message_group_in_revision_order_and_a_republish_is_deduplicated() {
    var store = EventStore.create(new PublishingStorageAdapter(storage, relay));
    var a = TckFixtures.uniqueDatabase("fifo-a");
    var b = TckFixtures.uniqueDatabase("fifo-b");
    store.createDatabase(a);
    store.createDatabase(b);
    for (int i = 0; i < 6; i++) {
      store.transact(i % 2 == 0 ? a : b, Transaction.of(TckFixtures.events(1 + i % 3)));
    }
    relay.publishPending(a);
    relay.publishPending(b);
    // the relay's at-least-once case: the first transaction of a published once more
    var publisher = new SnsEventPublisher(sns, topicArn);
    List<StoredEvent> firstOfA = storage.readRange(a, store.database(a).generation(), 1, 1);
    publisher.publish(a, firstOfA);

    var received = receiveAll(6);

    assertThat(received).hasSize(6); // the republished transaction was dropped by deduplication
    var byGroup = new HashMap<String, List<Received>>();
    received.forEach(r -> byGroup.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r));
    assertThat(byGroup).containsOnlyKeys(a.value(), b.value());
    for (var db : List.of(a, b)) {
      var messages = byGroup.get(db.value());
      assertThat(messages).extracting(Received::database).containsOnly(db.value());
      long next = 1;
      for (var m : messages) {
        assertThat(m.first()).as("next revision of %s", db).isEqualTo(next);
        next = m.last() + 1;
      }
      assertThat(next - 1).isEqualTo(store.database(db).revision());
      assertThat(messages)
          .extracting(Received::deduplicationId)
          .allSatisfy(id -> assertThat(id).startsWith(db.value() + "-").hasSizeLessThan(129))
          .doesNotHaveDuplicates();
    }
  }

  @Test
  @Timeout(60)
  void a_transaction_published_twice_carries_the_same_deduplication_id() {
    var store = EventStore.create(new PublishingStorageAdapter(storage, relay));
    var db = TckFixtures.uniqueDatabase("fifo-dup");
    store.createDatabase(db);
    store.transact(db, Transaction.of(TckFixtures.events(3)));
    List<StoredEvent> tx = storage.readRange(db, store.database(db).generation(), 1, 3);
    var captured = new ArrayList<String>();
    SnsClient recording =
        new SnsClient() {
          @Override
          public software.amazon.awssdk.services.sns.model.PublishResponse publish(
              software.amazon.awssdk.services.sns.model.PublishRequest request) {
            captured.add(request.messageGroupId() + "|" + request.messageDeduplicationId());
            return software.amazon.awssdk.services.sns.model.PublishResponse.builder().build();
          }

          @Override
          public String serviceName() {
            return "sns";
          }

          @Override
          public void close() {}
        };
    var publisher = new SnsEventPublisher(recording, topicArn);
    publisher.publish(db, tx);
    publisher.publish(db, storage.readRange(db, store.database(db).generation(), 1, 3));

    assertThat(captured).hasSize(2);
    assertThat(captured.get(0))
        .isEqualTo(captured.get(1))
        .startsWith(db.value() + "|" + db.value() + "-1-3-");
  }

  record Received(String group, String deduplicationId, String database, long first, long last) {}

  /**
   * Reads the FIFO queue until {@code expected} messages arrived and one more empty wait passed.
   */
  private List<Received> receiveAll(int expected) {
    var out = new ArrayList<Received>();
    int emptyAfterExpected = 0;
    while (out.size() < expected || emptyAfterExpected < 2) {
      var batch =
          sqs.receiveMessage(
              b ->
                  b.queueUrl(queueUrl)
                      .maxNumberOfMessages(10)
                      .waitTimeSeconds(1)
                      .messageSystemAttributeNames(
                          MessageSystemAttributeName.MESSAGE_GROUP_ID,
                          MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID));
      if (batch.messages().isEmpty() && out.size() >= expected) {
        emptyAfterExpected++;
      }
      for (var m : batch.messages()) {
        JsonNode envelope = JsonSupport.parse(m.body().getBytes(StandardCharsets.UTF_8));
        JsonNode attributes = envelope.get("MessageAttributes");
        out.add(
            new Received(
                m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID),
                m.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID),
                attributes.get("database").get("Value").stringValue(),
                Long.parseLong(attributes.get("first_revision").get("Value").stringValue()),
                Long.parseLong(attributes.get("last_revision").get("Value").stringValue())));
        sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
      }
    }
    return out;
  }
}
