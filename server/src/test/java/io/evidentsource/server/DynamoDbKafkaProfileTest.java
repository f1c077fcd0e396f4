package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.storage.dynamodb.MotoServer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The server with profile {@code dynamodb-kafka}: DynamoDB is the moto server (one request at a
 * time, see {@code MotoServer}), Kafka a KRaft broker in this JVM. A REST transaction comes back
 * from the topic as one record per event, keyed by database, in revision order; with every request
 * traced, each record's send is a span of the committing request's trace (OpenTelemetry's Kafka
 * client instrumentation) and carries that trace in its {@code traceparent} header.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "management.tracing.sampling.probability=1.0")
@Import(CapturedSpans.class)
@ActiveProfiles("dynamodb-kafka")
@DirtiesContext
class DynamoDbKafkaProfileTest {
  static final String PREFIX = "kfk" + UUID.randomUUID().toString().substring(0, 8);
  static final String TOPIC = "commits";
  static final EmbeddedKafkaKraftBroker BROKER = new EmbeddedKafkaKraftBroker(1, 1, TOPIC);

  static {
    BROKER.afterPropertiesSet();
  }

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    MotoProperties.tables(registry, MotoServer.shared().endpoint(), PREFIX);
    registry.add("evidentsource.kafka.bootstrap-servers", BROKER::getBrokersAsString);
    registry.add("evidentsource.kafka.topic", () -> TOPIC);
  }

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  @Test
  @Timeout(120)
  void a_rest_transaction_comes_back_from_kafka_one_record_per_event_in_order()
      throws InterruptedException {
    assertThat(api.postJson("/api/v1/databases", "{\"name\":\"ledger\"}").status()).isEqualTo(201);
    for (int i = 0; i < 3; i++) {
      var tx =
          api.post(
              "/api/v1/databases/ledger/transactions",
              "application/json",
              "{\"events\":[{\"specversion\":\"1.0\",\"id\":\"e-"
                  + i
                  + "a\",\"source\":\"bank\","
                  + "\"type\":\"Posted\"},{\"specversion\":\"1.0\",\"id\":\"e-"
                  + i
                  + "b\","
                  + "\"source\":\"bank\",\"type\":\"Posted\"}]}",
              "traceparent",
              "00-" + TRACE_ID + "-00f067aa0ba902b" + i + "-01");
      assertThat(tx.status()).isEqualTo(201);
    }

    var props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.getBrokersAsString());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "server-test");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    var records = new ArrayList<ConsumerRecord<String, byte[]>>();
    try (var consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      while (records.size() < 6) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }

    assertThat(records).extracting(ConsumerRecord::key).containsOnly("ledger");
    assertThat(records)
        .extracting(r -> header(r, "ce_revision"))
        .containsExactly("1", "2", "3", "4", "5", "6");
    assertThat(records)
        .extracting(r -> header(r, "ce_id"))
        .containsExactly("e-0a", "e-0b", "e-1a", "e-1b", "e-2a", "e-2b");
    assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8))
        .contains("\"id\":\"e-0a\"")
        .contains("\"revision\":1");
    // each record carries the W3C trace context of the request that committed it
    assertThat(records)
        .extracting(r -> header(r, "traceparent"))
        .allSatisfy(t -> assertThat(t).startsWith("00-" + TRACE_ID + "-"));
    // the sends are spans of that trace, and each record's traceparent names its send's span
    var sends = new ArrayList<String>();
    for (ConsumerRecord<String, byte[]> r : records) {
      String spanId = header(r, "traceparent").substring(36, 52);
      SpanData send = CapturedSpans.await(s -> s.getSpanId().equals(spanId));
      assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
      assertThat(send.getTraceId()).isEqualTo(TRACE_ID);
      assertThat(send.getName()).contains(TOPIC);
      sends.add(spanId);
    }
    assertThat(sends).doesNotHaveDuplicates();
    // and the append's DynamoDB TransactWriteItems is a child of the storage append span
    var write =
        CapturedSpans.await(
            CapturedSpans.awsRequest("DynamoDb", "TransactWriteItems")
                .and(s -> s.getTraceId().equals(TRACE_ID)));
    assertThat(CapturedSpans.byId(write.getParentSpanId()).getName())
        .isEqualTo("evidentsource.storage.append");
  }

  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
