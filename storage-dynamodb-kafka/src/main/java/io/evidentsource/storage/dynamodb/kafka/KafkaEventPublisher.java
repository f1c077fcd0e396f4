package io.evidentsource.storage.dynamodb.kafka;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.core.JsonGenerator;

/**
 * Publishes each committed event as one Kafka record: key = the database name (so one partition
 * holds a database's events in revision order), value = the stored CloudEvent in the JSON format
 * (structured content mode of the CloudEvents Kafka binding, header {@code content-type:
 * application/cloudevents+json}), plus {@code ce_*} headers repeating the context attributes
 * ({@code ce_id}, {@code ce_source}, {@code ce_type}, {@code ce_subject}, {@code ce_time}, {@code
 * ce_revision}, {@code ce_recordedtime}, ...) so consumers can route without parsing the value. A
 * CloudEvents SDK picks structured mode from the content type.
 *
 * <p>The producer is idempotent ({@code enable.idempotence}, {@code acks=all}), so broker retries
 * neither duplicate nor reorder records within a partition; {@link #publish} returns once every
 * record of the transaction is acknowledged.
 */
public final class KafkaEventPublisher implements EventPublisher, AutoCloseable {
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final Duration timeout;

  /**
   * @param producer a producer with String keys and byte[] values, configured as {@link
   *     #producerConfig} does
   * @param topic the topic every database publishes to
   * @param timeout how long to wait for the acknowledgement of a transaction
   */
  public KafkaEventPublisher(Producer<String, byte[]> producer, String topic, Duration timeout) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** A publisher with its own idempotent producer to {@code bootstrapServers}. */
  public static KafkaEventPublisher create(
      String bootstrapServers, String topic, int retries, Duration timeout) {
    return create(bootstrapServers, topic, retries, timeout, UnaryOperator.identity());
  }

  /**
   * A publisher with its own idempotent producer to {@code bootstrapServers}, as {@code wrap} wraps
   * it (tracing).
   */
  public static KafkaEventPublisher create(
      String bootstrapServers,
      String topic,
      int retries,
      Duration timeout,
      UnaryOperator<Producer<String, byte[]>> wrap) {
    Producer<String, byte[]> producer =
        new KafkaProducer<>(
            producerConfig(bootstrapServers, retries),
            new StringSerializer(),
            new ByteArraySerializer());
    return new KafkaEventPublisher(wrap.apply(producer), topic, timeout);
  }

  /** Producer settings: idempotent, {@code acks=all}, ordered retries. */
  public static Properties producerConfig(String bootstrapServers, int retries) {
    var p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.RETRIES_CONFIG, retries);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "evidentsource-publisher");
    return p;
  }

  @Override
  public void publish(DatabaseName database, List<StoredEvent> transaction) {
    publish(database, transaction, Map.of());
  }

  /** Also carries the trace context's headers as record headers of every event. */
  @Override
  public void publish(
      DatabaseName database, List<StoredEvent> transaction, Map<String, String> traceContext) {
    var sent = new ArrayList<Future<RecordMetadata>>(transaction.size());
    for (StoredEvent e : transaction) {
      var record = record(database, e);
      traceContext.forEach((name, value) -> record.headers().add(name, bytes(value)));
      sent.add(producer.send(record));
    }
    producer.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (var f : sent) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Kafka did not take the transaction of database '" + database + "': " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not acknowledge the transaction of database '"
              + database
              + "' within "
              + timeout,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to Kafka", e);
    }
  }

  ProducerRecord<String, byte[]> record(DatabaseName database, StoredEvent stored) {
    Event e = stored.event();
    var headers = new RecordHeaders();
    headers.add("content-type", bytes(CloudEventJson.MEDIA_TYPE));
    headers.add("ce_specversion", bytes(Event.SPEC_VERSION));
    headers.add("ce_id", bytes(e.id()));
    headers.add("ce_source", bytes(e.source()));
    headers.add("ce_type", bytes(e.type()));
    if (e.subject() != null) {
      headers.add("ce_subject", bytes(e.subject()));
    }
    if (e.time() != null) {
      headers.add("ce_time", bytes(e.time().text()));
    }
    if (e.dataSchema() != null) {
      headers.add("ce_dataschema", bytes(e.dataSchema()));
    }
    for (Map.Entry<String, Object> x : e.extensions().entrySet()) {
      headers.add("ce_" + x.getKey(), bytes(String.valueOf(x.getValue())));
    }
    headers.add("ce_" + CloudEventJson.REVISION, bytes(Long.toString(stored.revision())));
    headers.add("ce_" + CloudEventJson.RECORDED_TIME, bytes(stored.recordedTime().toString()));
    return new ProducerRecord<>(topic, null, database.value(), json(stored), headers);
  }

  private static byte[] json(StoredEvent e) {
    var out = new ByteArrayOutputStream();
    try (JsonGenerator g = JsonSupport.mapper().createGenerator(out)) {
      CloudEventJson.write(e, g);
    }
    return out.toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
