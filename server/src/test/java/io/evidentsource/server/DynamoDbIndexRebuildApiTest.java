package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.index.IndexSegment;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbIndexSegmentStore;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.DynamoDbTables;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.JsonNode;

/**
 * An index rebuild over REST on profile {@code dynamodb-sns} (moto) with segments of 10 events: a
 * database written before segments were enabled (by a writer without them, on the same tables) gets
 * its segments sealed into {@code -indexes} from its log while another writer appends, and a second
 * rebuild keeps them all and reads no log (docs/operations.md#rebuilding-index-segments).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.port=0",
      "evidentsource.index.segments.enabled=true",
      "evidentsource.index.segments.events=10"
    })
@ActiveProfiles("dynamodb-sns")
@Timeout(120) // the polls for sealing and for a rebuild's end wait without a deadline of their own
class DynamoDbIndexRebuildApiTest {
  static final String PREFIX = "ir" + UUID.randomUUID().toString().substring(0, 8);
  static final String TOPIC_ARN = MotoProperties.commitsTopic(PREFIX);

  @DynamicPropertySource
  static void moto(DynamicPropertyRegistry registry) {
    MotoProperties.snsProfile(registry, PREFIX, TOPIC_ARN);
  }

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  private final AtomicInteger ids = new AtomicInteger();

  private List<Event> events(int n) {
    var out = new ArrayList<Event>();
    for (int i = 0; i < n; i++) {
      int id = ids.incrementAndGet();
      out.add(
          Event.builder()
              .id("e" + id)
              .source("https://example.com/orders")
              .type("OrderPlaced")
              .subject("order-" + id % 7)
              .jsonData("{}")
              .build());
    }
    return out;
  }

  @Test
  void seals_the_segments_of_a_database_written_without_them_while_a_writer_appends()
      throws Exception {
    DynamoDbClient client = DynamoDbFixture.client();
    var tables = new DynamoDbTables(PREFIX);
    // another instance, segments off: its writes seal nothing
    var writer = EventStore.create(new DynamoDbStorageAdapter(client, tables));
    var db = DatabaseName.of("rebuild-" + UUID.randomUUID().toString().substring(0, 8));
    writer.createDatabase(db);
    for (int i = 0; i < 7; i++) {
      writer.transact(db, Transaction.of(events(5))); // 35 events: 3 whole ranges
    }
    var store = new DynamoDbIndexSegmentStore(client, tables);
    assertThat(store.summaries(db, 1)).isEmpty();

    var appending = new AtomicBoolean(true);
    var appender =
        new Thread(
            () -> {
              while (appending.get()) {
                writer.transact(db, Transaction.of(events(2)));
              }
            });
    appender.start();
    JsonNode done;
    try {
      done = IndexRebuildApiTest.rebuild(api, db.value());
    } finally {
      appending.set(false);
      appender.join();
    }

    assertThat(done.get("state").stringValue()).as(done.toString()).isEqualTo("succeeded");
    long ranges = done.get("revision").longValue() / 10;
    assertThat(ranges).isGreaterThanOrEqualTo(3);
    assertThat(done.get("ranges_total").longValue()).isEqualTo(ranges);
    assertThat(done.get("ranges_done").longValue()).isEqualTo(ranges);
    // the server's own indexes never read this database meanwhile: the rebuild sealed every range
    assertThat(done.get("segments_sealed").longValue()).isEqualTo(ranges);
    assertThat(done.get("events_read").longValue()).isEqualTo(ranges * 10);
    for (long first = 1; first <= ranges * 10; first += 10) {
      byte[] bytes = store.get(new IndexSegmentStore.Key(db, 1, first)).orElseThrow();
      assertThat(IndexSegment.decode(bytes).lastRevision()).isEqualTo(first + 9);
    }
    assertThat(store.summaries(db, 1)).hasSize((int) ranges);

    var again = IndexRebuildApiTest.rebuild(api, db.value());
    long rangesNow = again.get("ranges_total").longValue();
    assertThat(again.get("segments_kept").longValue()).isEqualTo(ranges);
    assertThat(again.get("segments_sealed").longValue()).isEqualTo(rangesNow - ranges);
    assertThat(again.get("events_read").longValue()).isEqualTo((rangesNow - ranges) * 10);
    // a query through the server still answers every event
    assertThat(api.events(db.value(), "")).hasSize((int) writer.database(db).revision());
  }
}
