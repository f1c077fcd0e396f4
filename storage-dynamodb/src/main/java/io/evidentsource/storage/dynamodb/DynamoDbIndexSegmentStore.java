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
 *
 * <p>Given an {@link IndexSegmentBucket}, a segment larger than {@link #objectThreshold()} (by
 * default the {@value #CHUNK_BYTES} × {@value #MAX_CHUNKS} bytes one transaction holds) is written
 * as an S3 object first (key derived from the segment's key and the SHA-256 of its bytes), and the
 * transaction then puts one small pointer item in chunk 0's place (the object key in {@code o}, the
 * SHA-256 in {@code h}, the length in {@code len}) with the summary, conditioned as chunks are. A
 * read follows the pointer and checks length and SHA-256; an object that is missing or does not
 * match is logged with its key and returned as zero bytes, which no decoder accepts, so the reader
 * indexes the range from the log and replaces the segment (the rebuilt bytes are the same, so the
 * object is written again under the same key). Without a bucket such a segment is refused, naming
 * the limit, and its range stays served from the log.
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
  private static final String OBJECT = "o";
  private static final String SHA256 = "h";
  private static final System.Logger LOG =
      System.getLogger(DynamoDbIndexSegmentStore.class.getName());

  /** The largest segment kept in S3: the largest byte array a JVM allocates. */
  static final int MAX_OBJECT_BYTES = Integer.MAX_VALUE - 16;

  private final DynamoDbClient client;
  private final DynamoDbTables tables;
  private final @Nullable IndexSegmentBucket objects;
  private final int objectThreshold;

  /**
   * A store without S3: segments above {@link #maxSegmentBytes()} are refused.
   *
   * @param client the DynamoDB client (not closed by this store)
   * @param tables the table names; the {@link DynamoDbTables#indexes()} table must exist
   */
  public DynamoDbIndexSegmentStore(DynamoDbClient client, DynamoDbTables tables) {
    this(client, tables, null, CHUNK_BYTES * MAX_CHUNKS);
  }

  /**
   * A store that keeps segments above what one transaction holds in {@code objects}.
   *
   * @param client the DynamoDB client (not closed by this store)
   * @param tables the table names; the {@link DynamoDbTables#indexes()} table must exist
   * @param objects where segments above {@value #CHUNK_BYTES} × {@value #MAX_CHUNKS} bytes go
   */
  public DynamoDbIndexSegmentStore(
      DynamoDbClient client, DynamoDbTables tables, IndexSegmentBucket objects) {
    this(client, tables, objects, CHUNK_BYTES * MAX_CHUNKS);
  }

  /**
   * @param objectThreshold segments larger than this many bytes go to {@code objects} (when given),
   *     0 to {@value #CHUNK_BYTES} × {@value #MAX_CHUNKS}; lowered by tests
   */
  DynamoDbIndexSegmentStore(
      DynamoDbClient client,
      DynamoDbTables tables,
      @Nullable IndexSegmentBucket objects,
      int objectThreshold) {
    if (objectThreshold < 0 || objectThreshold > CHUNK_BYTES * MAX_CHUNKS) {
      throw new IllegalArgumentException(
          "objectThreshold must be in 0.." + CHUNK_BYTES * MAX_CHUNKS + ", was " + objectThreshold);
    }
    this.client = client;
    this.tables = tables;
    this.objects = objects;
    this.objectThreshold = objectThreshold;
  }

  /** Segments larger than this many bytes are kept in S3 when the store has a bucket. */
  public int objectThreshold() {
    return objectThreshold;
  }

  /**
   * {@value #CHUNK_BYTES} × {@value #MAX_CHUNKS} bytes (one transaction) without a bucket, {@value
   * #MAX_OBJECT_BYTES} with one.
   */
  @Override
  public int maxSegmentBytes() {
    return objects == null ? CHUNK_BYTES * MAX_CHUNKS : MAX_OBJECT_BYTES;
  }

  /** Whether {@code segment} is written to S3 (with a pointer item) rather than in chunks. */
  private boolean inObject(byte[] segment) {
    return objects != null && segment.length > objectThreshold;
  }

  /**
   * The items holding {@code segment}: its chunks, or, for a segment kept in S3, the pointer item
   * after the object was written.
   */
  private List<Map<String, AttributeValue>> segmentItems(Key key, byte[] segment) {
    var bucket = objects;
    if (bucket == null || !inObject(segment)) {
      return chunkItems(key, segment);
    }
    if (segment.length > MAX_OBJECT_BYTES) {
      throw new IllegalArgumentException(
          "index segment "
              + key
              + " has "
              + segment.length
              + " bytes, more than the limit of "
              + MAX_OBJECT_BYTES);
    }
    String sha = IndexSegmentBucket.sha256(segment);
    String objectKey = bucket.key(key, sha);
    bucket.put(objectKey, segment); // before the item naming it: a pointer never dangles
    var item = new HashMap<String, AttributeValue>();
    item.put(DynamoDbSchema.IX_PK, AttributeValue.fromS(partition(key)));
    item.put(DynamoDbSchema.IX_SK, AttributeValue.fromN(Long.toString(sortKey(key, 0))));
    item.put(CHUNKS, AttributeValue.fromN("1"));
    item.put(LENGTH, AttributeValue.fromN(Integer.toString(segment.length)));
    item.put(OBJECT, AttributeValue.fromS(objectKey));
    item.put(SHA256, AttributeValue.fromS(sha));
    var items = new ArrayList<Map<String, AttributeValue>>(1);
    items.add(item);
    return items;
  }

  @Override
  public boolean putIfAbsent(Key key, byte[] segment, byte @Nullable [] summary) {
    IndexSegmentStore.requireSummarySize(key, summary);
    var puts = segmentItems(key, segment);
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
    var chunks = segmentItems(key, segment);
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
              + " one DynamoDB transaction holds; a store given an S3 bucket"
              + " (IndexSegmentBucket) keeps larger segments as objects");
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
    AttributeValue object = head.get(OBJECT);
    if (object != null) {
      return Optional.of(fromObject(key, object.s(), head, Integer.parseInt(length.n())));
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
   * The bytes of a segment kept in S3, checked against the pointer's length and SHA-256; zero bytes
   * (which no decoder accepts, so the reader rebuilds the range from the log and replaces the
   * segment) when the object is missing or does not match, or when this store has no bucket.
   */
  private byte[] fromObject(Key key, String objectKey, Map<String, AttributeValue> head, int len) {
    var bucket = objects;
    if (bucket == null) {
      LOG.log(
          System.Logger.Level.WARNING,
          "index segment {0} is kept in S3 ({1}) but this store has no bucket",
          key,
          objectKey);
      return new byte[0];
    }
    var bytes = bucket.get(objectKey);
    AttributeValue sha = head.get(SHA256);
    String problem;
    if (bytes.isEmpty()) {
      problem = "is missing";
    } else if (bytes.get().length != len) {
      problem = "has " + bytes.get().length + " bytes, its pointer says " + len;
    } else if (sha == null || !IndexSegmentBucket.sha256(bytes.get()).equals(sha.s())) {
      problem = "does not match its SHA-256";
    } else {
      return bytes.get();
    }
    LOG.log(
        System.Logger.Level.WARNING,
        "index segment {0}: its S3 object {1}/{2} {3}",
        key,
        bucket.bucket(),
        objectKey,
        problem);
    return new byte[0];
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
