package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.IndexSegmentStore;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Sealed index segments in the {@code {prefix}-indexes} table (ADR 0011,
 * docs/dynamodb.md#index-segments): partition key {@code pk} = {@code {db}#{generation}}, sort key
 * {@code sk} = {@code first revision × 1024 + chunk}; each item holds a chunk of at most {@value
 * #CHUNK_BYTES} bytes in {@code b}; chunk 0 also holds the chunk count {@code n} and the segment's
 * length {@code len}.
 *
 * <p>A segment is written by one {@code TransactWriteItems} whose every put is conditioned on
 * {@code attribute_not_exists(pk)}: all chunks or none become visible, and a second sealer of the
 * same range is cancelled and leaves the first segment in place. A read is a strongly consistent
 * Query over the segment's sort-key range; a set of chunks that does not add up to chunk 0's count
 * and length counts as absent. {@link #replace} (a segment rebuilt from the log in place of one
 * that did not decode) writes the new chunks and deletes the old ones beyond them in one
 * transaction.
 *
 * <p>A segment's summary (ADR 0011) is one more item of the same transaction, in the partition
 * {@code {db}#{generation}#s} with sort key {@code sk} = the segment's first revision and the bytes
 * in {@code b}, so all summaries of a database generation come back from one Query ({@link
 * #summaries}; one request per MB).
 */
public final class DynamoDbIndexSegmentStore implements IndexSegmentStore {
  /** Bytes per chunk item, under DynamoDB's 400 KB item limit with room for the keys. */
  static final int CHUNK_BYTES = 350_000;

  /**
   * Chunks per segment: one transaction holds at most 4 MB (and 100 items), so 11 chunks of {@value
   * #CHUNK_BYTES} bytes and a summary of at most {@link IndexSegmentStore#MAX_SUMMARY_BYTES} (4.02
   * million bytes in all, under the 4 MiB, 4,194,304 bytes, DynamoDB counts item sizes in).
   */
  static final int MAX_CHUNKS = 11;

  private static final int SK_CHUNKS = 1024;
  private static final int CONFLICT_ATTEMPTS = 5;
  private static final String BYTES = "b";
  private static final String CHUNKS = "n";
  private static final String LENGTH = "len";

  private final DynamoDbClient client;
  private final DynamoDbTables tables;

  /**
   * @param client the DynamoDB client (not closed by this store)
   * @param tables the table names; the {@link DynamoDbTables#indexes()} table must exist
   */
  public DynamoDbIndexSegmentStore(DynamoDbClient client, DynamoDbTables tables) {
    this.client = client;
    this.tables = tables;
  }

  @Override
  public int maxSegmentBytes() {
    return CHUNK_BYTES * MAX_CHUNKS;
  }

  @Override
  public boolean putIfAbsent(Key key, byte[] segment, byte @Nullable [] summary) {
    IndexSegmentStore.requireSummarySize(key, summary);
    var puts = chunkItems(key, segment);
    if (summary != null) {
      puts.add(summaryItem(key, summary));
    }
    var items = new ArrayList<TransactWriteItem>();
    for (var item : puts) {
      items.add(
          TransactWriteItem.builder()
              .put(
                  Put.builder()
                      .tableName(tables.indexes())
                      .item(item)
                      .conditionExpression("attribute_not_exists(#pk)")
                      .expressionAttributeNames(Map.of("#pk", DynamoDbSchema.IX_PK))
                      .build())
              .build());
    }
    for (int attempt = 1; ; attempt++) {
      try {
        client.transactWriteItems(b -> b.transactItems(items));
        return true;
      } catch (TransactionCanceledException e) {
        List<CancellationReason> reasons =
            e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        boolean conflict = false;
        for (CancellationReason reason : reasons) {
          String code = reason.code();
          if ("ConditionalCheckFailed".equals(code)) {
            return false; // sealed already: that segment stands
          }
          conflict |= "TransactionConflict".equals(code);
        }
        if (!conflict) {
          throw failure("TransactWriteItems", key, e);
        }
        if (attempt >= CONFLICT_ATTEMPTS) {
          return false; // another instance keeps sealing it; a later completion tries again
        }
        // another instance is sealing it right now: look again once its transaction is done
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(5_000_000, 50_000_000));
      } catch (SdkException e) {
        throw failure("TransactWriteItems", key, e);
      }
    }
  }

  /**
   * Puts every chunk unconditionally and deletes the chunk slots beyond the new count (up to
   * {@value #MAX_CHUNKS}), in one {@code TransactWriteItems}: readers see the old items or the new
   * ones, never a mix. Retried on a {@code TransactionConflict} (another instance replacing or
   * sealing the same key; both write the same bytes).
   */
  @Override
  public void replace(Key key, byte[] segment, byte @Nullable [] summary) {
    IndexSegmentStore.requireSummarySize(key, summary);
    var chunks = chunkItems(key, segment);
    var items = new ArrayList<TransactWriteItem>(MAX_CHUNKS + 1);
    for (var item : chunks) {
      items.add(
          TransactWriteItem.builder()
              .put(Put.builder().tableName(tables.indexes()).item(item).build())
              .build());
    }
    if (summary != null) {
      items.add(
          TransactWriteItem.builder()
              .put(
                  Put.builder().tableName(tables.indexes()).item(summaryItem(key, summary)).build())
              .build());
    } else {
      items.add(
          TransactWriteItem.builder()
              .delete(Delete.builder().tableName(tables.indexes()).key(summaryKey(key)).build())
              .build());
    }
    for (int c = chunks.size(); c < MAX_CHUNKS; c++) {
      var slot =
          Map.of(
              DynamoDbSchema.IX_PK, AttributeValue.fromS(partition(key)),
              DynamoDbSchema.IX_SK, AttributeValue.fromN(Long.toString(sortKey(key, c))));
      items.add(
          TransactWriteItem.builder()
              .delete(Delete.builder().tableName(tables.indexes()).key(slot).build())
              .build());
    }
    for (int attempt = 1; ; attempt++) {
      try {
        client.transactWriteItems(b -> b.transactItems(items));
        return;
      } catch (TransactionCanceledException e) {
        boolean conflict =
            e.hasCancellationReasons()
                && e.cancellationReasons().stream()
                    .anyMatch(r -> "TransactionConflict".equals(r.code()));
        if (!conflict || attempt >= CONFLICT_ATTEMPTS) {
          throw failure("TransactWriteItems", key, e);
        }
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(5_000_000, 50_000_000));
      } catch (SdkException e) {
        throw failure("TransactWriteItems", key, e);
      }
    }
  }

  /** The items holding {@code segment}'s chunks; chunk 0 also names the count and the length. */
  private List<Map<String, AttributeValue>> chunkItems(Key key, byte[] segment) {
    if (segment.length > maxSegmentBytes()) {
      throw new IllegalArgumentException(
          "index segment "
              + key
              + " has "
              + segment.length
              + " bytes, more than the "
              + maxSegmentBytes()
              + " one DynamoDB transaction holds (segments in S3 are not supported yet)");
    }
    int chunks = Math.max(1, (segment.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
    var items = new ArrayList<Map<String, AttributeValue>>(chunks);
    for (int c = 0; c < chunks; c++) {
      int from = c * CHUNK_BYTES;
      int to = Math.min(segment.length, from + CHUNK_BYTES);
      var item = new HashMap<String, AttributeValue>();
      item.put(DynamoDbSchema.IX_PK, AttributeValue.fromS(partition(key)));
      item.put(DynamoDbSchema.IX_SK, AttributeValue.fromN(Long.toString(sortKey(key, c))));
      item.put(BYTES, AttributeValue.fromB(SdkBytes.fromByteArray(slice(segment, from, to))));
      if (c == 0) {
        item.put(CHUNKS, AttributeValue.fromN(Integer.toString(chunks)));
        item.put(LENGTH, AttributeValue.fromN(Integer.toString(segment.length)));
      }
      items.add(item);
    }
    return items;
  }

  private static Map<String, AttributeValue> summaryKey(Key key) {
    return Map.of(
        DynamoDbSchema.IX_PK,
        AttributeValue.fromS(summaryPartition(key.database(), key.generation())),
        DynamoDbSchema.IX_SK,
        AttributeValue.fromN(Long.toString(key.firstRevision())));
  }

  private static Map<String, AttributeValue> summaryItem(Key key, byte[] summary) {
    var item = new HashMap<String, AttributeValue>(summaryKey(key));
    item.put(BYTES, AttributeValue.fromB(SdkBytes.fromByteArray(summary)));
    return item;
  }

  @Override
  public NavigableMap<Long, byte[]> summaries(DatabaseName database, long generation) {
    var out = new TreeMap<Long, byte[]>();
    var values = Map.of(":pk", AttributeValue.fromS(summaryPartition(database, generation)));
    var request =
        QueryRequest.builder()
            .tableName(tables.indexes())
            .keyConditionExpression("#pk = :pk")
            .expressionAttributeNames(Map.of("#pk", DynamoDbSchema.IX_PK))
            .expressionAttributeValues(values)
            .consistentRead(true)
            .build();
    try {
      // the SDK's paginator follows LastEvaluatedKey, page by page, as the items are read
      for (var item : client.queryPaginator(request).items()) {
        AttributeValue sk = item.get(DynamoDbSchema.IX_SK);
        AttributeValue bytes = item.get(BYTES);
        if (sk != null && bytes != null) {
          out.put(Long.parseLong(sk.n()), bytes.b().asByteArray());
        }
      }
    } catch (SdkException e) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "DynamoDB Query of the index segment summaries of "
              + database
              + "#"
              + generation
              + " failed: "
              + e.getMessage(),
          Map.of("operation", "Query"),
          e);
    }
    return Collections.unmodifiableNavigableMap(out);
  }

  @Override
  public Optional<byte[]> get(Key key) {
    var values =
        Map.of(
            ":pk", AttributeValue.fromS(partition(key)),
            ":lo", AttributeValue.fromN(Long.toString(sortKey(key, 0))),
            ":hi", AttributeValue.fromN(Long.toString(sortKey(key, SK_CHUNKS - 1))));
    var request =
        QueryRequest.builder()
            .tableName(tables.indexes())
            .keyConditionExpression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
            .expressionAttributeNames(
                Map.of("#pk", DynamoDbSchema.IX_PK, "#sk", DynamoDbSchema.IX_SK))
            .expressionAttributeValues(values)
            .consistentRead(true)
            .build();
    var chunks = new ArrayList<Map<String, AttributeValue>>();
    try {
      client.queryPaginator(request).items().forEach(chunks::add);
    } catch (SdkException e) {
      throw failure("Query", key, e);
    }
    if (chunks.isEmpty()) {
      return Optional.empty();
    }
    var head = chunks.get(0);
    AttributeValue count = head.get(CHUNKS);
    AttributeValue length = head.get(LENGTH);
    if (count == null || length == null || chunks.size() != Integer.parseInt(count.n())) {
      return Optional.empty(); // not a whole segment: never read a part
    }
    var out = new ByteArrayOutputStream(Integer.parseInt(length.n()));
    for (int c = 0; c < chunks.size(); c++) {
      var item = chunks.get(c);
      AttributeValue sk = item.get(DynamoDbSchema.IX_SK);
      AttributeValue bytes = item.get(BYTES);
      if (sk == null || bytes == null || Long.parseLong(sk.n()) != sortKey(key, c)) {
        return Optional.empty();
      }
      out.writeBytes(bytes.b().asByteArrayUnsafe());
    }
    if (out.size() != Integer.parseInt(length.n())) {
      return Optional.empty();
    }
    return Optional.of(out.toByteArray());
  }

  /**
   * The partitions of the {@code indexes} table holding a database generation's segments and
   * summaries, for {@link DatabasePurger}.
   */
  static List<String> partitions(String database, long generation) {
    return List.of(database + "#" + generation, database + "#" + generation + "#s");
  }

  private static String partition(Key key) {
    return key.database().value() + "#" + key.generation();
  }

  /** Ends in {@code #s}, where a segment partition ends in digits: the two never meet. */
  private static String summaryPartition(DatabaseName database, long generation) {
    return database.value() + "#" + generation + "#s";
  }

  private static long sortKey(Key key, int chunk) {
    return Math.multiplyExact(key.firstRevision(), SK_CHUNKS) + chunk;
  }

  private static byte[] slice(byte[] b, int from, int to) {
    return java.util.Arrays.copyOfRange(b, from, to);
  }

  private static EvidentSourceException failure(String operation, Key key, SdkException e) {
    return new EvidentSourceException(
        ErrorCode.INTERNAL,
        "DynamoDB " + operation + " of index segment " + key + " failed: " + e.getMessage(),
        Map.of("operation", operation),
        e);
  }
}
