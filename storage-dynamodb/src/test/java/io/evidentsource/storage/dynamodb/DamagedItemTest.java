package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An item damaged outside the server (an attribute removed or retyped by hand) fails its read with
 * an error naming the table, the item's key and the attribute, on the moto server.
 */
class DamagedItemTest {
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void an_event_item_without_its_recorded_time_names_table_key_and_attribute() {
    var client = DynamoDbFixture.client();
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var adapter = new DynamoDbStorageAdapter(client, tables, 0); // no cache: read the item
    var db = TckFixtures.uniqueDatabase("damaged");
    var info = adapter.createDatabase(db, AT);
    adapter.append(TckFixtures.append(db, info.generation(), 0, TckFixtures.events(2), AT));
    String partition = db.value() + "#" + info.generation();
    client.updateItem(
        b ->
            b.tableName(tables.events())
                .key(
                    Map.of(
                        DynamoDbSchema.EV_PK,
                        AttributeValue.fromS(partition),
                        DynamoDbSchema.EV_SK,
                        AttributeValue.fromN("2")))
                .updateExpression("REMOVE rt"));

    assertThat(adapter.readRange(db, info.generation(), 1, 1)).hasSize(1);
    assertThatThrownBy(() -> adapter.readRange(db, info.generation(), 1, 2))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
              assertThat(e.fields())
                  .containsEntry("table", tables.events())
                  .containsEntry("key", "{db=" + partition + ", rev=2}")
                  .containsEntry("attribute", "rt");
            })
        .hasMessageContaining("attribute 'rt' is missing");
  }

  @Test
  void a_catalog_item_with_a_retyped_revision_names_table_key_and_attribute() {
    var client = DynamoDbFixture.client();
    var tables = DynamoDbFixture.freshTables();
    DynamoDbSchema.ensure(client, tables, true);
    var adapter = new DynamoDbStorageAdapter(client, tables);
    var db = TckFixtures.uniqueDatabase("retyped");
    adapter.createDatabase(db, AT);
    client.updateItem(
        b ->
            b.tableName(tables.databases())
                .key(Map.of(DynamoDbSchema.DB_NAME, AttributeValue.fromS(db.value())))
                .updateExpression("SET revision = :r")
                .expressionAttributeValues(Map.of(":r", AttributeValue.fromS("zero"))));

    assertThatThrownBy(() -> adapter.findDatabase(db))
        .isInstanceOf(EvidentSourceException.class)
        .hasMessage(
            "DynamoDB item {name="
                + db.value()
                + "} in table '"
                + tables.databases()
                + "': attribute 'revision' has type S, expected N");
  }
}
