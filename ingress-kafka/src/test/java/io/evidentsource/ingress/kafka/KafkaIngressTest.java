package io.evidentsource.ingress.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.storage.memory.InMemoryStorage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The ingress against a real Kafka broker (KRaft, in this JVM) and the in-memory store: records
 * written by the CloudEvents SDK in both content modes become events, refused records reach the
 * dead-letter topic with the error, and a crash between the append and the offset commit appends
 * nothing twice.
 */
@Timeout(180)
class KafkaIngressTest {
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static EmbeddedKafkaKraftBroker broker;
  private static KafkaProducer<byte[], byte[]> producer;

  private final List<KafkaIngress> ingresses = new ArrayList<>();
  private final EventStore store = EventStore.create(InMemoryStorage.create().log());

  @BeforeAll
  static void startBroker() {
    broker = new EmbeddedKafkaKraftBroker(1, 2);
    broker.afterPropertiesSet();
    var p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stopBroker() {
    producer.close();
    broker.destroy();
  }

  @AfterEach
  void closeIngresses() {
    ingresses.forEach(KafkaIngress::close);
  }

  /** A fresh topic and dead-letter topic, a fresh group and a fresh database. */
  private record Fixture(String topic, String deadLetters, String group, DatabaseName database) {}

  private Fixture fixture(boolean createDatabase) {
    int n = SEQ.incrementAndGet();
    var f =
        new Fixture(
            "ingress-" + n, "ingress-" + n + ".dlt", "group-" + n, DatabaseName.of("kafka-" + n));
    broker.addTopics(f.topic(), f.deadLetters());
    if (createDatabase) {
      store.createDatabase(f.database());
    }
    return f;
  }

  private static KafkaIngress.Settings settings(Fixture f) {
    return new KafkaIngress.Settings(
        broker.getBrokersAsString(),
        List.of(f.topic()),
        f.database(),
        f.group(),
        f.deadLetters(),
        "kafka-ingress",
        Duration.ofMillis(200),
        100,
        Duration.ofMillis(200),
        Map.of());
  }

  private KafkaIngress start(Fixture f) {
    var ingress = KafkaIngress.start(settings(f), store);
    ingresses.add(ingress);
    return ingress;
  }

  private static long send(ProducerRecord<byte[], byte[]> record) {
    try {
      return producer.send(record).get().offset();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ProducerRecord<byte[], byte[]> binary(String topic, CloudEvent event) {
    ProducerRecord<Void, byte[]> r = KafkaMessageFactory.createWriter(topic).writeBinary(event);
    return new ProducerRecord<>(topic, 0, (byte[]) null, r.value(), r.headers());
  }

  private static ProducerRecord<byte[], byte[]> structured(String topic, CloudEvent event) {
    ProducerRecord<Void, byte[]> r =
        KafkaMessageFactory.createWriter(topic).writeStructured(event, new JsonFormat());
    return new ProducerRecord<>(topic, 0, (byte[]) null, r.value(), r.headers());
  }

  private static CloudEventBuilder sdkEvent(String id) {
    return CloudEventBuilder.v1()
        .withId(id)
        .withSource(URI.create("https://example.com/orders"))
        .withType("com.example.OrderPlaced");
  }

  private long head(DatabaseName db) {
    return store.database(db).revision();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Nested
  class content_modes {
    @Test
    void appends_binary_and_structured_records_as_sent_with_kafka_as_origin() {
      var f = fixture(true);
      var time = "2024-05-01T12:00:00.500+02:00";
      long binaryOffset =
          send(
              binary(
                  f.topic(),
                  sdkEvent("b-1")
                      .withSubject("order-1")
                      .withTime(OffsetDateTime.parse(time))
                      .withExtension("tags", "order:1,customer:7")
                      .withDataContentType("application/json")
                      .withData("{\"total\": 12}".getBytes(StandardCharsets.UTF_8))
                      .build()));
      long structuredOffset =
          send(
              structured(
                  f.topic(),
                  sdkEvent("s-1")
                      .withSubject("order-2")
                      .withDataContentType("text/plain")
                      .withData("two".getBytes(StandardCharsets.UTF_8))
                      .build()));
      // binary mode, written by hand: the time keeps its text, the data its bytes
      var headers = new RecordHeaders();
      headers.add("ce_specversion", bytes("1.0"));
      headers.add("ce_id", bytes("b-2"));
      headers.add("ce_source", bytes("https://example.com/orders"));
      headers.add("ce_type", bytes("com.example.Photo"));
      headers.add("ce_time", bytes(time));
      headers.add("content-type", bytes("image/png"));
      long rawOffset =
          send(new ProducerRecord<>(f.topic(), 0, (byte[]) null, new byte[] {1, 2, 3}, headers));

      var ingress = start(f);
      await("3 events", () -> head(f.database()) == 3 && ingress.counts().appended() == 3);

      Event b1 = store.event(f.database(), 1).event();
      assertThat(b1.id()).isEqualTo("b-1");
      assertThat(b1.source()).isEqualTo("https://example.com/orders");
      assertThat(b1.subject()).isEqualTo("order-1");
      assertThat(b1.tags()).containsExactlyInAnyOrder("order:1", "customer:7");
      assertThat(b1.dataContentType()).isEqualTo("application/json");
      assertThat(b1.data()).isEqualTo(EventData.Json.of("{\"total\":12}"));
      Event s1 = store.event(f.database(), 2).event();
      assertThat(s1.id()).isEqualTo("s-1");
      // the SDK's JSON format writes data given as bytes as data_base64: binary data
      assertThat(s1.data()).isEqualTo(new EventData.Binary(bytes("two")));
      assertThat(s1.dataContentType()).isEqualTo("text/plain");
      Event b2 = store.event(f.database(), 3).event();
      assertThat(b2.time()).isNotNull();
      assertThat(b2.time().text()).isEqualTo(time);
      assertThat(b2.data()).isEqualTo(new EventData.Binary(new byte[] {1, 2, 3}));

      for (long offset : List.of(binaryOffset, structuredOffset, rawOffset)) {
        TransactionOrigin origin =
            store
                .transaction(f.database(), KafkaIngress.transactionId(f.topic(), 0, offset))
                .origin();
        assertThat(origin.origin()).isEqualTo("kafka");
        assertThat(origin.principal()).isEqualTo("kafka-ingress");
        assertThat(origin.requestId()).isEqualTo(f.topic() + "/0/" + offset);
      }
      assertThat(ingress.counts()).isEqualTo(new KafkaIngress.Counts(3, 0, 0, 0));
    }
  }

  @Nested
  class refused_records {
    @Test
    void go_to_the_dead_letter_topic_with_the_error_and_later_records_follow() {
      var f = fixture(true);
      // no CloudEvent at all
      send(new ProducerRecord<>(f.topic(), 0, bytes("k"), bytes("hello"), new RecordHeaders()));
      // binary mode without ce_type
      var noType = new RecordHeaders();
      noType.add("ce_specversion", bytes("1.0"));
      noType.add("ce_id", bytes("x"));
      noType.add("ce_source", bytes("https://example.com/x"));
      send(new ProducerRecord<>(f.topic(), 0, (byte[]) null, bytes("{}"), noType));
      // structured mode, not JSON
      var broken = new RecordHeaders();
      broken.add("content-type", bytes("application/cloudevents+json"));
      send(new ProducerRecord<>(f.topic(), 0, (byte[]) null, bytes("{\"id\":"), broken));
      // the server's own extension, which clients may not set
      send(binary(f.topic(), sdkEvent("r-1").withExtension("revision", "7").build()));
      // text in a charset the JVM does not know: refused, not kept as bytes (BinaryModeData)
      send(
          binary(
              f.topic(),
              sdkEvent("c-1")
                  .withDataContentType("text/plain; charset=x-unknown-1")
                  .withData(bytes("hi"))
                  .build()));
      send(binary(f.topic(), sdkEvent("ok-1").build()));

      var ingress = start(f);
      await("the good record", () -> head(f.database()) == 1);
      await("5 dead letters", () -> ingress.counts().deadLettered() == 5);

      var letters = new ArrayList<>(consume(f.deadLetters(), 5));
      letters.sort(
          Comparator.comparing(r -> Long.valueOf(header(r, KafkaIngress.ORIGINAL_OFFSET_HEADER))));
      assertThat(letters)
          .extracting(r -> header(r, KafkaIngress.ERROR_CODE_HEADER))
          .containsExactly(
              "unsupported_media_type",
              "missing_attribute",
              "malformed_json",
              "reserved_attribute",
              "invalid_attribute");
      var first = letters.get(0);
      assertThat(first.key()).isEqualTo(bytes("k"));
      assertThat(first.value()).isEqualTo(bytes("hello"));
      assertThat(header(first, KafkaIngress.ORIGINAL_TOPIC_HEADER)).isEqualTo(f.topic());
      assertThat(header(first, KafkaIngress.ORIGINAL_PARTITION_HEADER)).isEqualTo("0");
      assertThat(header(first, KafkaIngress.ORIGINAL_OFFSET_HEADER)).isEqualTo("0");
      assertThat(header(first, KafkaIngress.DATABASE_HEADER)).isEqualTo(f.database().value());
      assertThat(header(letters.get(1), KafkaIngress.ERROR_MESSAGE_HEADER)).contains("'type'");
      // the original headers travel along
      assertThat(header(letters.get(1), "ce_id")).isEqualTo("x");
      assertThat(header(letters.get(4), KafkaIngress.ERROR_MESSAGE_HEADER))
          .contains("unknown charset 'x-unknown-1'");
      assertThat(store.event(f.database(), 1).event().id()).isEqualTo("ok-1");
      await("all committed", () -> committed(f) == 6);
    }

    @Test
    void wait_for_a_database_that_does_not_exist_yet_instead_of_being_dead_lettered() {
      var f = fixture(false);
      send(binary(f.topic(), sdkEvent("early").build()));
      var ingress = start(f);
      await("a retry", () -> ingress.counts().retries() >= 1);

      store.createDatabase(f.database());

      // the ingress counts an append after the store answers it: wait for both
      await("the event", () -> head(f.database()) == 1 && ingress.counts().appended() == 1);
      assertThat(ingress.counts().deadLettered()).isZero();
    }
  }

  @Nested
  class exactly_once {
    @Test
    void a_crash_between_append_and_offset_commit_appends_nothing_twice() {
      var f = fixture(true);
      int n = 5;
      for (int i = 0; i < n; i++) {
        send(binary(f.topic(), sdkEvent("e-" + i).build()));
      }

      // the first consumer appends every record, then "crashes": closed before it commits
      var crashed = KafkaIngress.open(settings(f), store);
      crashed.subscribe();
      while (crashed.counts().appended() < n) {
        crashed.ingestNextPoll();
      }
      crashed.close();
      assertThat(head(f.database())).isEqualTo(n);
      assertThat(committed(f)).as("nothing committed before the crash").isZero();

      // the next consumer of the group reads the same records again
      var next = start(f);
      await("5 records read again", () -> next.counts().duplicates() == n);
      await("offsets committed", () -> committed(f) == n);

      assertThat(head(f.database())).as("no duplicate events").isEqualTo(n);
      assertThat(next.counts()).isEqualTo(new KafkaIngress.Counts(0, n, 0, 0));
      assertThat(store.event(f.database(), n).event().id()).isEqualTo("e-" + (n - 1));
    }

    @Test
    void a_record_has_the_same_transaction_id_on_every_read_and_another_on_every_other() {
      assertThat(KafkaIngress.transactionId("t", 0, 7))
          .isEqualTo(KafkaIngress.transactionId("t", 0, 7))
          .isNotEqualTo(KafkaIngress.transactionId("t", 0, 8))
          .isNotEqualTo(KafkaIngress.transactionId("t", 1, 7))
          .isNotEqualTo(KafkaIngress.transactionId("u", 0, 7));
    }
  }

  @Nested
  class settings {
    @Test
    void refuse_a_dead_letter_topic_that_is_read_and_client_properties_exactly_once_needs() {
      var f = fixture(true);
      var ok = settings(f);
      assertThatThrownBy(
              () ->
                  new KafkaIngress.Settings(
                      ok.bootstrapServers(),
                      List.of(f.topic()),
                      f.database(),
                      f.group(),
                      f.topic(),
                      "p",
                      ok.pollTimeout(),
                      1,
                      ok.retryBackoff(),
                      Map.of()))
          .hasMessageContaining("deadLetterTopic")
          .hasMessageContaining("must not be one of the topics");
      assertThatThrownBy(
              () ->
                  new KafkaIngress.Settings(
                      ok.bootstrapServers(),
                      List.of(f.topic()),
                      f.database(),
                      f.group(),
                      f.deadLetters(),
                      "p",
                      ok.pollTimeout(),
                      1,
                      ok.retryBackoff(),
                      Map.of("enable.auto.commit", "true")))
          .hasMessageContaining("enable.auto.commit");
      var withTls = new HashMap<>(Map.of("security.protocol", "SSL"));
      assertThat(
              KafkaIngress.consumerConfig(
                      new KafkaIngress.Settings(
                          ok.bootstrapServers(),
                          ok.topics(),
                          ok.database(),
                          ok.groupId(),
                          ok.deadLetterTopic(),
                          ok.principal(),
                          ok.pollTimeout(),
                          ok.maxPollRecords(),
                          ok.retryBackoff(),
                          withTls))
                  .get("security.protocol"))
          .isEqualTo("SSL");
    }
  }

  private long committed(Fixture f) {
    var p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(f.group()).partitionsToOffsetAndMetadata().get();
      return offsets.values().stream()
          .filter(o -> o != null)
          .mapToLong(OffsetAndMetadata::offset)
          .sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count) {
    var p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + SEQ.incrementAndGet());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    var out = new ArrayList<ConsumerRecord<byte[], byte[]>>();
    try (var consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    assertThat(out).as("records on " + topic).hasSize(count);
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
