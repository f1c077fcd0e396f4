package io.evidentsource.storage.dynamodb;

import static io.evidentsource.storage.dynamodb.EventItems.n;
import static io.evidentsource.storage.dynamodb.EventItems.s;

import io.evidentsource.core.model.DatabaseName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * What stays of deleted databases, kept in the {@code publications} table beside the relay's
 * watermarks (whose keys are {@code name#generation}; a database name has neither {@code @} nor
 * {@code :}), so the catalog holds live databases only and {@code listDatabases} never reads a
 * deleted one (docs/dynamodb.md#deleting-a-database):
 *
 * <ul>
 *   <li>{@code @generation:{name}} with {@code generation}: the last generation of that name, so a
 *       database created again under it gets the next one and never sees the old items; with {@code
 *       delete_marker} (the deleting call's own marker) and {@code delete_key} (the client's
 *       idempotency key, when it sent one), so a delete whose answer was lost is recognised when it
 *       is tried again;
 *   <li>{@code @purge:{name}#{generation}} with {@code name} and {@code generation}: a purge job,
 *       removed by {@link DatabasePurger} once every item of that generation is gone (and a lease,
 *       {@code owner} and {@code until}, while an instance works on it).
 * </ul>
 */
final class Graveyard {
  static final String GENERATION_PREFIX = "@generation:";
  static final String PURGE_PREFIX = "@purge:";

  private final DynamoDbClient client;
  private final DynamoDbTables tables;

  Graveyard(DynamoDbClient client, DynamoDbTables tables) {
    this.client = client;
    this.tables = tables;
  }

  static String generationKey(DatabaseName name) {
    return GENERATION_PREFIX + name.value();
  }

  static String purgeKey(String partition) {
    return PURGE_PREFIX + partition;
  }

  /** The last generation of a deleted database of this name (strongly consistent), 0 when none. */
  long lastGeneration(DatabaseName name) {
    var last = lastDeletion(name);
    return last == null ? 0 : last.generation();
  }

  /** The name's last deletion: its generation, the deleting call's marker and the client's key. */
  record Deletion(long generation, @Nullable String marker, @Nullable String key) {}

  /** The last deletion of a database of this name (strongly consistent), null when none. */
  @Nullable Deletion lastDeletion(DatabaseName name) {
    var response =
        client.getItem(
            b ->
                b.tableName(tables.publications())
                    .consistentRead(true)
                    .key(Map.of(DynamoDbSchema.PUB_PK, s(generationKey(name)))));
    if (!response.hasItem() || response.item().isEmpty()) {
      return null;
    }
    var item = ItemReader.of(tables.publications(), response.item(), DynamoDbSchema.PUB_PK);
    return new Deletion(
        item.number("generation"),
        item.optionalString("delete_marker"),
        item.optionalString("delete_key"));
  }

  /**
   * The condition that no database of this name was deleted since {@code last} was read: a creation
   * of generation {@code last + 1} commits only with it.
   */
  TransactWriteItem unchangedSince(DatabaseName name, long last) {
    var check =
        ConditionCheck.builder()
            .tableName(tables.publications())
            .key(Map.of(DynamoDbSchema.PUB_PK, s(generationKey(name))));
    if (last == 0) {
      check
          .conditionExpression("attribute_not_exists(#k)")
          .expressionAttributeNames(Map.of("#k", DynamoDbSchema.PUB_PK));
    } else {
      check.conditionExpression("generation = :g").expressionAttributeValues(Map.of(":g", n(last)));
    }
    return TransactWriteItem.builder().conditionCheck(check.build()).build();
  }

  /**
   * The writes that go with deleting {@code generation}: its number kept with the deleting call's
   * marker and the client's key (if any), its purge job.
   */
  List<TransactWriteItem> buried(
      DatabaseName name, long generation, String marker, @Nullable String deleteKey) {
    String partition = EventItems.partition(name.value(), generation);
    var out = new ArrayList<TransactWriteItem>(2);
    var kept = new HashMap<String, AttributeValue>();
    kept.put(DynamoDbSchema.PUB_PK, s(generationKey(name)));
    kept.put("generation", n(generation));
    kept.put("delete_marker", s(marker));
    if (deleteKey != null) {
      kept.put("delete_key", s(deleteKey));
    }
    out.add(put(kept));
    out.add(
        put(
            Map.of(
                DynamoDbSchema.PUB_PK,
                s(purgeKey(partition)),
                "name",
                s(name.value()),
                "generation",
                n(generation))));
    return out;
  }

  private TransactWriteItem put(Map<String, AttributeValue> item) {
    return TransactWriteItem.builder()
        .put(Put.builder().tableName(tables.publications()).item(item).build())
        .build();
  }
}
