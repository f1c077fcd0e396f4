package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.storage.tck.IndexSegmentStoreTck;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Index segments in the {@code -indexes} table of a moto server (ADR 0011). */
class DynamoDbIndexSegmentStoreTest extends IndexSegmentStoreTck {
  private static final DynamoDbClient CLIENT = DynamoDbFixture.client();
  private static final DynamoDbTables TABLES = DynamoDbFixture.freshTables();
  private static final DynamoDbIndexSegmentStore STORE;

  static {
    DynamoDbSchema.ensure(CLIENT, TABLES, true);
    STORE = new DynamoDbIndexSegmentStore(CLIENT, TABLES);
  }

  @Override
  protected IndexSegmentStore store() {
    return STORE;
  }

  @Test
  void cuts_a_segment_into_items_under_the_item_limit() {
    var db = freshDatabase();
    var key = new IndexSegmentStore.Key(db, 1, 1);
    STORE.putIfAbsent(key, bytes(DynamoDbIndexSegmentStore.CHUNK_BYTES * 2 + 1, 7));
    var items =
        CLIENT
            .query(
                q ->
                    q.tableName(TABLES.indexes())
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(
                            Map.of(":pk", AttributeValue.fromS(db.value() + "#1"))))
            .items();
    assertThat(items).hasSize(3);
    assertThat(items).allSatisfy(i -> assertThat(ItemSize.of(i)).isLessThan(400_000));
  }

  @Test
  void a_segment_missing_a_chunk_reads_as_absent_never_as_a_part() {
    var db = freshDatabase();
    var key = new IndexSegmentStore.Key(db, 1, 1);
    STORE.putIfAbsent(key, bytes(DynamoDbIndexSegmentStore.CHUNK_BYTES + 10, 8));
    // as if a writer had put the chunks one by one and died between them
    CLIENT.deleteItem(
        d ->
            d.tableName(TABLES.indexes())
                .key(
                    Map.of(
                        "pk", AttributeValue.fromS(db.value() + "#1"),
                        "sk", AttributeValue.fromN("1025"))));
    assertThat(STORE.get(key)).isEmpty();
  }

  @Test
  void a_chunk_of_another_length_reads_as_absent() {
    var db = freshDatabase();
    var key = new IndexSegmentStore.Key(db, 9, 1);
    STORE.putIfAbsent(key, bytes(100, 9));
    CLIENT.updateItem(
        u ->
            u.tableName(TABLES.indexes())
                .key(
                    Map.of(
                        "pk", AttributeValue.fromS(db.value() + "#9"),
                        "sk", AttributeValue.fromN("1024")))
                .updateExpression("SET b = :b")
                .expressionAttributeValues(
                    Map.of(":b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[50])))));
    assertThat(STORE.get(key)).isEmpty();
  }
}
