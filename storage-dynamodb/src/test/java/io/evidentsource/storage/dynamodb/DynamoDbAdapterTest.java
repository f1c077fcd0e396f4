package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the DynamoDB adapter does beyond the TCK: table checks, paging and batched reads. */
class DynamoDbAdapterTest {
  private static final Instant T0 = Instant.parse("2026-04-05T06:07:08.123456789Z");

  @Nested
  class Tables {
    @Test
    void refuses_to_start_without_tables_when_creating_is_off_naming_each_missing_one() {
      var tables = DynamoDbFixture.freshTables();
      assertThatThrownBy(() -> DynamoDbSchema.ensure(DynamoDbFixture.client(), tables, false))
          .isInstanceOfSatisfying(
              DynamoDbSetupException.class,
              e -> {
                assertThat(e.problem()).isEqualTo(DynamoDbSetupException.Problem.TABLES);
                assertThat(e.fixedByCreating()).isTrue();
                assertThat(e.details()).contains("table '" + tables.events() + "' is missing");
              })
          .hasMessageContaining("table '" + tables.databases() + "' is missing")
          .hasMessageContaining("table '" + tables.events() + "' is missing")
          .hasMessageContaining("table '" + tables.transactions() + "' is missing")
          .hasMessageContaining("create them, or let the storage create what is missing")
          .hasMessageNotContaining("evidentsource.");
    }

    @Test
    void accepts_tables_created_earlier_when_create_tables_is_off() {
      var client = DynamoDbFixture.client();
      var tables = DynamoDbFixture.freshTables();
      DynamoDbSchema.ensure(client, tables, true);
      DynamoDbSchema.ensure(client, tables, false);
      // every page: moto holds the tables of every test class, more than ListTables' 100 per page
      var names = client.listTablesPaginator().tableNames().stream().toList();
      assertThat(names).containsAll(tables.all());
    }
  }

  @Nested
  class ReadsWithoutCache {
    private final DynamoDbStorageAdapter adapter =
        new DynamoDbStorageAdapter(DynamoDbFixture.client(), DynamoDbFixture.adapter().tables(), 0);

    @Test
    void reads_more_revisions_than_one_batch_get_holds_in_the_order_asked() {
      var db = TckFixtures.uniqueDatabase("batch");
      long generation = adapter.createDatabase(db, T0).generation();
      for (int i = 0; i < 6; i++) {
        adapter.append(TckFixtures.append(db, generation, i * 25L, TckFixtures.events(25), T0));
      }
      long[] asked = new long[150];
      for (int i = 0; i < asked.length; i++) {
        asked[i] = 150L - i;
      }
      var read = adapter.readRevisions(db, generation, asked);
      assertThat(read).extracting(StoredEvent::revision).containsExactly(boxed(asked));
    }

    @Test
    void pages_through_range_reads_larger_than_one_query_response() {
      var db = TckFixtures.uniqueDatabase("paging");
      long generation = adapter.createDatabase(db, T0).generation();
      byte[] payload = new byte[60_000];
      var written = new ArrayList<Event>();
      for (int batch = 0; batch < 4; batch++) {
        var events = new ArrayList<Event>();
        for (int i = 0; i < 5; i++) {
          payload[0] = (byte) (batch * 5 + i);
          events.add(
              Event.builder()
                  .id(UUID.randomUUID().toString())
                  .source("big")
                  .type("t")
                  .data(new EventData.Binary(payload.clone()))
                  .build());
        }
        written.addAll(events);
        var outcome =
            adapter.append(
                new AppendRequest(db, generation, batch * 5L, events, UUID.randomUUID(), T0));
        assertThat(outcome).isInstanceOf(AppendOutcome.Committed.class);
      }
      // 20 items of ~60 KB: more than the 1 MB a single Query returns
      var read = adapter.readRange(db, generation, 1, 20);
      assertThat(read).extracting(StoredEvent::event).isEqualTo(written);
      assertThat(read).extracting(StoredEvent::recordedTime).containsOnly(T0);
    }

    @Test
    void keeps_a_database_name_unique_across_generations_of_event_partitions() {
      DatabaseName db = TckFixtures.uniqueDatabase("gen");
      long first = adapter.createDatabase(db, T0).generation();
      adapter.append(TckFixtures.append(db, first, 0, TckFixtures.events(3), T0));
      adapter.deleteDatabase(db);
      long second = adapter.createDatabase(db, T0).generation();
      adapter.append(TckFixtures.append(db, second, 0, TckFixtures.events(1), T0));
      assertThat(adapter.readRange(db, second, 1, 10)).hasSize(1);
      assertThat(adapter.listDatabases())
          .filteredOn(i -> i.name().equals(db))
          .singleElement()
          .satisfies(i -> assertThat(i.generation()).isEqualTo(second));
    }
  }

  private static Long[] boxed(long[] values) {
    var out = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
