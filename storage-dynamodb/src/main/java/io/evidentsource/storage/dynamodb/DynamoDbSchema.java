package io.evidentsource.storage.dynamodb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Creates the adapter's tables (on-demand capacity) or checks that they exist with the expected
 * keys. Key attributes: databases {@code name} (S); events {@code db} (S) + {@code rev} (N);
 * transactions {@code tx} (S); indexes {@code pk} (S) + {@code sk} (N); publications {@code db}
 * (S); components {@code pk} (S) + {@code sk} (S).
 */
public final class DynamoDbSchema {
  static final String DB_NAME = "name";
  static final String EV_PK = "db";
  static final String EV_SK = "rev";
  static final String TX_PK = "tx";
  static final String IX_PK = "pk";
  static final String IX_SK = "sk";
  static final String PUB_PK = "db";
  static final String CO_PK = "pk";
  static final String CO_SK = "sk";

  private DynamoDbSchema() {}

  /**
   * Makes sure every table exists: creates the missing ones when {@code createTables}, else fails.
   *
   * @throws DynamoDbSetupException naming each missing table or table with other keys
   */
  public static void ensure(DynamoDbClient client, DynamoDbTables tables, boolean createTables) {
    var expected = expectedKeys(tables);
    var problems = new ArrayList<String>();
    for (var e : expected.entrySet()) {
      String table = e.getKey();
      String[] keys = e.getValue();
      ScalarAttributeType sortType =
          table.equals(tables.components()) ? ScalarAttributeType.S : ScalarAttributeType.N;
      TableDescription found = describe(client, table);
      if (found == null) {
        if (createTables) {
          create(client, table, keys, sortType);
        } else {
          problems.add("table '" + table + "' is missing");
        }
        continue;
      }
      List<String> actual =
          found.keySchema().stream().map(KeySchemaElement::attributeName).toList();
      if (!actual.equals(List.of(keys))) {
        problems.add("table '" + table + "' has key " + actual + ", expected " + List.of(keys));
      }
    }
    if (!problems.isEmpty()) {
      boolean onlyMissing = problems.stream().allMatch(p -> p.endsWith(" is missing"));
      throw new DynamoDbSetupException(
          DynamoDbSetupException.Problem.TABLES, problems, !createTables && onlyMissing);
    }
  }

  private static Map<String, String[]> expectedKeys(DynamoDbTables t) {
    var m = new java.util.LinkedHashMap<String, String[]>();
    m.put(t.databases(), new String[] {DB_NAME});
    m.put(t.events(), new String[] {EV_PK, EV_SK});
    m.put(t.transactions(), new String[] {TX_PK});
    m.put(t.indexes(), new String[] {IX_PK, IX_SK});
    m.put(t.publications(), new String[] {PUB_PK});
    m.put(t.components(), new String[] {CO_PK, CO_SK});
    return m;
  }

  private static @Nullable TableDescription describe(DynamoDbClient client, String table) {
    try {
      return client.describeTable(b -> b.tableName(table)).table();
    } catch (ResourceNotFoundException e) {
      return null;
    }
  }

  private static void create(
      DynamoDbClient client, String table, String[] keys, ScalarAttributeType sortType) {
    var defs = new ArrayList<AttributeDefinition>();
    var schema = new ArrayList<KeySchemaElement>();
    defs.add(attr(keys[0], ScalarAttributeType.S));
    schema.add(KeySchemaElement.builder().attributeName(keys[0]).keyType(KeyType.HASH).build());
    if (keys.length > 1) {
      defs.add(attr(keys[1], sortType));
      schema.add(KeySchemaElement.builder().attributeName(keys[1]).keyType(KeyType.RANGE).build());
    }
    try {
      client.createTable(
          CreateTableRequest.builder()
              .tableName(table)
              .attributeDefinitions(defs)
              .keySchema(schema)
              .billingMode(BillingMode.PAY_PER_REQUEST)
              .build());
    } catch (ResourceInUseException e) {
      // another instance created it meanwhile
    }
    client.waiter().waitUntilTableExists(b -> b.tableName(table));
  }

  private static AttributeDefinition attr(String name, ScalarAttributeType type) {
    return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
  }
}
