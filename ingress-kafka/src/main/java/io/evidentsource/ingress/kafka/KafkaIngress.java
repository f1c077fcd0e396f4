package io.evidentsource.ingress.kafka;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * Appends the CloudEvents of Kafka topics to one database, exactly once (docs/kafka-ingress.md).
 *
 * <p>Each record is one event ({@link KafkaCloudEvents}: structured or binary content mode) and one
 * transaction whose id is derived from the record's topic, partition and offset ({@link
 * #transactionId}). Offsets are committed only after the records before them were appended (or
 * dead-lettered), so a crash between an append and the commit makes the next consumer read the
 * record again, and the store answers that transaction id with the original result ({@code
 * duplicate}) instead of appending it twice.
 *
 * <p>A record that is no valid event, or that the store refuses for good (a limit, a duplicate
 * event id, ...), is sent to the dead-letter topic with its key, value and headers, plus headers
 * naming the error ({@link #ERROR_CODE_HEADER}, {@link #ERROR_MESSAGE_HEADER}) and where it came
 * from, and its offset is committed. A failure that may pass (storage unavailable, contention
 * timeout, commit unknown, the database not created yet, the dead-letter topic unreachable) stops
 * that partition at the record; it is read again after {@link Settings#retryBackoff()}.
 *
 * <p>Transactions record their origin as {@code kafka}, the principal of the settings, and the
 * request id {@code topic/partition/offset} (docs/security.md#audit).
 *
 * <p>One thread polls one consumer of the consumer group; run more server instances with the same
 * group to share the partitions.
 */
public final class KafkaIngress implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KafkaIngress.class.getName());

  /** The origin of the transactions this ingress appends. */
  public static final String ORIGIN = "kafka";

  /** Dead-letter header: the error code, e.g. {@code missing_attribute} (UTF-8). */
  public static final String ERROR_CODE_HEADER = "evidentsource_error_code";

  /** Dead-letter header: why the record was refused, in words (UTF-8). */
  public static final String ERROR_MESSAGE_HEADER = "evidentsource_error_message";

  /** Dead-letter header: the topic the record was read from. */
  public static final String ORIGINAL_TOPIC_HEADER = "evidentsource_original_topic";

  /** Dead-letter header: the partition the record was read from (decimal). */
  public static final String ORIGINAL_PARTITION_HEADER = "evidentsource_original_partition";

  /** Dead-letter header: the record's offset (decimal). */
  public static final String ORIGINAL_OFFSET_HEADER = "evidentsource_original_offset";

  /** Dead-letter header: the database the record was meant for. */
  public static final String DATABASE_HEADER = "evidentsource_database";

  /**
   * What the ingress reads, where it appends and how it behaves.
   *
   * @param bootstrapServers the brokers, {@code host:port[,host:port...]}
   * @param topics the topics to read, at least one
   * @param database the database every event is appended to
   * @param groupId the consumer group; instances with the same group share the partitions
   * @param deadLetterTopic where refused records go, with headers naming the error; not one of
   *     {@code topics}
   * @param principal the principal recorded with each transaction for the audit
   * @param pollTimeout how long one poll waits for records, positive
   * @param maxPollRecords most records one poll returns, 1 to 10,000
   * @param retryBackoff how long a partition waits before a record that failed for a reason that
   *     may pass is read again, positive
   * @param clientProperties further Kafka client settings for the consumer and the dead-letter
   *     producer (e.g. {@code security.protocol}, {@code sasl.mechanism}); they cannot change the
   *     settings exactly-once delivery depends on (commits, deserializers, isolation level)
   */
  public record Settings(
      String bootstrapServers,
      List<String> topics,
      DatabaseName database,
      String groupId,
      String deadLetterTopic,
      String principal,
      Duration pollTimeout,
      int maxPollRecords,
      Duration retryBackoff,
      Map<String, String> clientProperties) {
    public Settings {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(database, "database");
      Objects.requireNonNull(groupId, "groupId");
      Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
      Objects.requireNonNull(principal, "principal");
      topics = List.copyOf(topics);
      clientProperties = Map.copyOf(clientProperties);
      if (bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers must not be blank");
      }
      if (topics.isEmpty()) {
        throw new IllegalArgumentException("topics must name at least one topic");
      }
      for (String t : topics) {
        requireTopicName("topics", t);
      }
      requireTopicName("deadLetterTopic", deadLetterTopic);
      if (topics.contains(deadLetterTopic)) {
        throw new IllegalArgumentException(
            "deadLetterTopic '" + deadLetterTopic + "' must not be one of the topics read");
      }
      if (groupId.isBlank()) {
        throw new IllegalArgumentException("groupId must not be blank");
      }
      if (principal.isBlank()) {
        throw new IllegalArgumentException("principal must not be blank");
      }
      requirePositive("pollTimeout", pollTimeout);
      requirePositive("retryBackoff", retryBackoff);
      if (maxPollRecords < 1 || maxPollRecords > 10_000) {
        throw new IllegalArgumentException(
            "maxPollRecords must be between 1 and 10000, was " + maxPollRecords);
      }
      for (String fixed : FIXED_CONSUMER_SETTINGS) {
        if (clientProperties.containsKey(fixed)) {
          throw new IllegalArgumentException(
              "clientProperties may not set '" + fixed + "': exactly-once ingestion depends on it");
        }
      }
    }

    private static void requireTopicName(String field, String topic) {
      if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
        throw new IllegalArgumentException(
            field + " must be Kafka topic names (1-249 of [a-zA-Z0-9._-]), was '" + topic + "'");
      }
    }

    private static void requirePositive(String field, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, was " + d);
      }
    }
  }

  /**
   * How many records the ingress handled since it started.
   *
   * @param appended records appended as a new transaction
   * @param duplicates records whose transaction had committed before (read again after a crash or a
   *     rebalance): answered with the original result, nothing appended
   * @param deadLettered records sent to the dead-letter topic
   * @param retries times a record failed for a reason that may pass and was left to be read again
   */
  public record Counts(long appended, long duplicates, long deadLettered, long retries) {}

  private static final List<String> FIXED_CONSUMER_SETTINGS =
      List.of(
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.ISOLATION_LEVEL_CONFIG,
          ConsumerConfig.GROUP_ID_CONFIG,
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);

  private static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(30);

  private final Settings settings;
  private final EventStore store;
  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> deadLetters;
  private final AtomicLong appended = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile @Nullable Thread thread;

  /**
   * An ingress over the given clients, not yet subscribed; {@link #start(Settings, EventStore)}
   * builds and starts one.
   */
  KafkaIngress(
      Settings settings,
      EventStore store,
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> deadLetters) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.store = Objects.requireNonNull(store, "store");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
  }

  /**
   * Subscribes to the topics and starts appending on a thread of its own until {@link #close()}.
   */
  public static KafkaIngress start(Settings settings, EventStore store) {
    var ingress = open(settings, store);
    ingress.subscribe();
    var t = new Thread(ingress::run, "evidentsource-kafka-ingress");
    t.setDaemon(true);
    ingress.thread = t;
    t.start();
    LOG.info(
        () ->
            "Kafka ingress: reading "
                + settings.topics()
                + " as group '"
                + settings.groupId()
                + "' into database '"
                + settings.database()
                + "', dead letters to '"
                + settings.deadLetterTopic()
                + "'");
    return ingress;
  }

  /** An ingress with its own consumer and dead-letter producer, not subscribed, not started. */
  static KafkaIngress open(Settings settings, EventStore store) {
    Consumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerConfig(settings), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Producer<byte[], byte[]> producer;
    try {
      producer =
          new KafkaProducer<>(
              producerConfig(settings), new ByteArraySerializer(), new ByteArraySerializer());
    } catch (KafkaException e) {
      consumer.close();
      throw e;
    }
    return new KafkaIngress(settings, store, consumer, producer);
  }

  /**
   * Consumer settings: the client properties, then manual commits, byte[] keys and values, {@code
   * read_committed} (records of aborted producer transactions are skipped) and, for a group without
   * committed offsets, the earliest offset.
   */
  static Properties consumerConfig(Settings settings) {
    var p = new Properties();
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "evidentsource-ingress");
    p.putAll(settings.clientProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
    return p;
  }

  /** Dead-letter producer settings: the client properties, then idempotent, {@code acks=all}. */
  static Properties producerConfig(Settings settings) {
    var p = new Properties();
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "evidentsource-ingress-dead-letters");
    for (var e : settings.clientProperties().entrySet()) {
      if (ProducerConfig.configNames().contains(e.getKey())) {
        p.put(e.getKey(), e.getValue());
      }
    }
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return p;
  }

  /**
   * The transaction id of a record: a name-based UUID (RFC 9562 version 3) of {@code
   * kafka:<topic>:<partition>:<offset>}, the same for every read of the record.
   */
  public static UUID transactionId(String topic, int partition, long offset) {
    String name = "kafka:" + topic + ":" + partition + ":" + offset;
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
  }

  /** How many records were appended, answered as duplicates, dead-lettered and retried. */
  public Counts counts() {
    return new Counts(appended.get(), duplicates.get(), deadLettered.get(), retries.get());
  }

  /** The settings the ingress runs with. */
  public Settings settings() {
    return settings;
  }

  void subscribe() {
    consumer.subscribe(settings.topics());
  }

  private void run() {
    try {
      while (stopping.getCount() > 0) {
        try {
          Poll poll = ingestNextPoll();
          commit(poll);
          if (poll.stalled()) {
            stopping.await(settings.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
          }
        } catch (WakeupException e) {
          // close() woke the poll up
        } catch (KafkaException e) {
          LOG.log(Level.WARNING, "Kafka ingress: poll or commit failed; polling again", e);
          stopping.await(settings.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeClients();
    }
  }

  /**
   * What one poll did: the offsets to commit (after the last record handled per partition) and
   * whether a partition stopped at a record that failed for a reason that may pass.
   */
  record Poll(Map<TopicPartition, OffsetAndMetadata> offsets, int records, boolean stalled) {}

  /**
   * Polls once and handles each record in partition order: appended, answered as a duplicate or
   * dead-lettered. A partition whose record fails for a reason that may pass is moved back to that
   * record (it is polled again), and its later records wait.
   */
  Poll ingestNextPoll() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
    var offsets = new HashMap<TopicPartition, OffsetAndMetadata>();
    boolean stalled = false;
    int handled = 0;
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        if (!ingest(record)) {
          consumer.seek(partition, record.offset());
          stalled = true;
          break;
        }
        handled++;
        offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
      }
    }
    return new Poll(offsets, handled, stalled);
  }

  /** Commits the offsets of a poll (after its appends and dead letters). */
  void commit(Poll poll) {
    if (poll.offsets().isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(poll.offsets());
    } catch (CommitFailedException e) {
      // the group rebalanced; the partitions' new owner reads these records again, and their
      // transaction ids answer them as duplicates
      LOG.log(Level.INFO, "Kafka ingress: commit failed after a rebalance", e);
    }
  }

  /** Handles one record; false when it failed for a reason that may pass and must be read again. */
  private boolean ingest(ConsumerRecord<byte[], byte[]> record) {
    Event event;
    try {
      event = KafkaCloudEvents.read(record.headers(), record.value());
    } catch (EvidentSourceException e) {
      return deadLetter(record, e.code().code(), e.getMessage());
    } catch (RuntimeException e) {
      return deadLetter(record, ErrorCode.MALFORMED_REQUEST.code(), String.valueOf(e));
    }
    var transaction =
        new Transaction(
            transactionId(record.topic(), record.partition(), record.offset()),
            List.of(event),
            List.of(),
            origin(record));
    TransactionResult result;
    try {
      result = store.transact(settings.database(), transaction);
    } catch (EvidentSourceException e) {
      if (e.code().retriable() || e.code() == ErrorCode.DATABASE_NOT_FOUND) {
        return retryLater(record, e);
      }
      return deadLetter(record, e.code().code(), e.getMessage());
    } catch (RuntimeException e) {
      return retryLater(record, e);
    }
    (result.duplicate() ? duplicates : appended).incrementAndGet();
    return true;
  }

  private TransactionOrigin origin(ConsumerRecord<?, ?> record) {
    return new TransactionOrigin(
        settings.principal(),
        ORIGIN,
        record.topic() + "/" + record.partition() + "/" + record.offset(),
        null,
        null);
  }

  private boolean retryLater(ConsumerRecord<?, ?> record, RuntimeException e) {
    retries.incrementAndGet();
    LOG.log(
        Level.WARNING,
        "Kafka ingress: record "
            + where(record)
            + " could not be appended to '"
            + settings.database()
            + "' yet; reading it again in "
            + settings.retryBackoff()
            + ": "
            + e.getMessage());
    return false;
  }

  private boolean deadLetter(ConsumerRecord<byte[], byte[]> record, String code, String message) {
    var headers = new RecordHeaders(record.headers().toArray());
    headers.add(ERROR_CODE_HEADER, utf8(code));
    headers.add(ERROR_MESSAGE_HEADER, utf8(message));
    headers.add(ORIGINAL_TOPIC_HEADER, utf8(record.topic()));
    headers.add(ORIGINAL_PARTITION_HEADER, utf8(Integer.toString(record.partition())));
    headers.add(ORIGINAL_OFFSET_HEADER, utf8(Long.toString(record.offset())));
    headers.add(DATABASE_HEADER, utf8(settings.database().value()));
    var letter =
        new ProducerRecord<>(
            settings.deadLetterTopic(), null, record.key(), record.value(), headers);
    try {
      deadLetters.send(letter).get(DEAD_LETTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      return retryLater(
          record,
          new IllegalStateException(
              "the dead-letter topic '" + settings.deadLetterTopic() + "' did not take it: " + e,
              e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return retryLater(record, new IllegalStateException("interrupted", e));
    }
    deadLettered.incrementAndGet();
    LOG.warning(
        () ->
            "Kafka ingress: record "
                + where(record)
                + " sent to '"
                + settings.deadLetterTopic()
                + "': "
                + code
                + ": "
                + message);
    return true;
  }

  private static String where(ConsumerRecord<?, ?> record) {
    return record.topic() + "/" + record.partition() + "/" + record.offset();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Stops polling and closes the clients without committing anything not committed yet; records
   * appended but not committed are read again by the next consumer of the group and answered as
   * duplicates.
   */
  @Override
  public void close() {
    stopping.countDown();
    Thread t = thread;
    if (t == null) {
      closeClients();
      return;
    }
    consumer.wakeup();
    try {
      t.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeClients() {
    try {
      consumer.close();
    } finally {
      deadLetters.close(Duration.ofSeconds(5));
    }
  }
}
