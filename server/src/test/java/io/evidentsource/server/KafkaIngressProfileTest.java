package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.ingress.kafka.KafkaIngress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The server with {@code evidentsource.kafka.ingress.enabled=true} (profile {@code memory}; Kafka
 * is a KRaft broker in this JVM): a CloudEvent written to the topic becomes an event of the
 * configured database, its transaction's audit record says it came from Kafka, and the metric
 * {@code evidentsource.kafka.ingress.records} counts it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("memory")
@DirtiesContext
class KafkaIngressProfileTest {
  static final String TOPIC = "incoming";
  static final EmbeddedKafkaKraftBroker BROKER =
      new EmbeddedKafkaKraftBroker(1, 1, TOPIC, "incoming.dlt");

  static {
    BROKER.afterPropertiesSet();
  }

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    registry.add("evidentsource.kafka.ingress.enabled", () -> "true");
    registry.add("evidentsource.kafka.ingress.bootstrap-servers", BROKER::getBrokersAsString);
    registry.add("evidentsource.kafka.ingress.topics", () -> TOPIC);
    registry.add("evidentsource.kafka.ingress.database", () -> "ingested");
    registry.add("evidentsource.kafka.ingress.dead-letter-topic", () -> "incoming.dlt");
    registry.add("evidentsource.kafka.ingress.poll-timeout", () -> "200ms");
    registry.add("evidentsource.kafka.ingress.retry-backoff", () -> "200ms");
  }

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  @Test
  @Timeout(120)
  void a_binary_mode_record_becomes_an_event_whose_audit_says_kafka() throws Exception {
    assertThat(api.postJson("/api/v1/databases", "{\"name\":\"ingested\"}").status())
        .isEqualTo(201);
    var headers = new RecordHeaders();
    headers.add("ce_specversion", utf8("1.0"));
    headers.add("ce_id", utf8("k-1"));
    headers.add("ce_source", utf8("https://example.com/sensors"));
    headers.add("ce_type", utf8("com.example.Reading"));
    headers.add("ce_subject", utf8("sensor-7"));
    headers.add("content-type", utf8("application/json"));
    var p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.getBrokersAsString());
    long offset;
    try (var producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      offset =
          producer
              .send(
                  new ProducerRecord<>(
                      TOPIC, 0, (byte[]) null, utf8("{\"celsius\":21.5}"), headers))
              .get()
              .offset();
    }

    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (api.revision("ingested") < 1 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    var event = api.get("/api/v1/databases/ingested/events/1").json();
    assertThat(event.get("id").asString()).isEqualTo("k-1");
    assertThat(event.get("subject").asString()).isEqualTo("sensor-7");
    assertThat(event.get("data").get("celsius").asDouble()).isEqualTo(21.5);

    var id = KafkaIngress.transactionId(TOPIC, 0, offset);
    var audit = api.get("/api/v1/databases/ingested/transactions/" + id).json();
    assertThat(audit.get("origin").asString()).isEqualTo("kafka");
    assertThat(audit.get("principal").asString()).isEqualTo("kafka-ingress");
    assertThat(audit.get("request_id").asString()).isEqualTo(TOPIC + "/0/" + offset);

    assertThat(api.get("/actuator/prometheus").text())
        .contains("evidentsource_kafka_ingress_records_total{outcome=\"appended\"} 1.0");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
