package io.evidentsource.storage.dynamodb;

import static io.evidentsource.storage.dynamodb.EventItems.n;
import static io.evidentsource.storage.dynamodb.EventItems.s;

import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.error.RevisionNotFoundException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The event log in DynamoDB (docs/dynamodb.md, ADR 0006), shared by any number of server instances.
 *
 * <ul>
 *   <li>Catalog item per live name: {@code generation}, {@code created_at}, {@code revision},
 *       {@code revision_time} (RFC 3339 text, full precision). Deleting removes it and records the
 *       generation in the publications table ({@link Graveyard}), so the next database of that name
 *       gets {@code generation + 1} and the old items, keyed {@code name#generation}, are never
 *       read again; {@link DatabasePurger} removes them in the background. Catalog items marked
 *       {@code deleted} (tombstones written before purging existed) are still honoured.
 *   <li>Append: one {@code TransactWriteItems} of the head update (condition {@code revision =
 *       expected}, same generation, not deleted), one put per event ({@code attribute_not_exists})
 *       and the idempotency record ({@code attribute_not_exists}). A cancellation is mapped to
 *       {@code Duplicate} (the transaction record exists: its stored result is returned), {@code
 *       HeadMoved} (the head's condition failed or another transaction was in flight on it), {@code
 *       DATABASE_NOT_FOUND}, or, when DynamoDB throttled the transaction, retried with jittered
 *       backoff.
 *   <li>Reads of the head and the log are strongly consistent; range reads page through {@code
 *       Query}; random reads use {@code BatchGetItem}, retrying unprocessed keys with backoff.
 * </ul>
 *
 * <p>Throttling of single requests is retried by the client's retry strategy (see {@link
 * DynamoDbClients}). Other AWS failures surface as {@code INTERNAL} errors naming the operation.
 */
public final class DynamoDbStorageAdapter implements StorageAdapter {
  private static final int BATCH_GET_LIMIT = 100;
  private static final int MAX_BACKOFF_ATTEMPTS = 10;

  /**
   * The most transactions one group append writes: the head update plus an event and a transaction
   * record for each fill DynamoDB's 100 items at 49 single-event transactions.
   */
  public static final int MAX_GROUP_TRANSACTIONS = (DynamoDbLimits.TRANSACTION_ITEMS - 1) / 2;

  /** Events cached by default (committed events are immutable; see {@link EventCache}). */
  public static final int DEFAULT_CACHED_EVENTS = 20_000;

  private final DynamoDbClient client;
  private final DynamoDbTables tables;
  private final EventCache cache;
  private final @Nullable EventDataBucket largeData;
  private final Graveyard graveyard;
  private volatile Consumer<DatabaseName> deleted = name -> {};
  private final int maxGroupTransactions;

  /**
   * An adapter caching up to {@link #DEFAULT_CACHED_EVENTS} events.
   *
   * @param client a DynamoDB client (its retry strategy handles throttled requests)
   * @param tables the table names; the tables must exist (see {@link DynamoDbSchema#ensure})
   */
  public DynamoDbStorageAdapter(DynamoDbClient client, DynamoDbTables tables) {
    this(client, tables, DEFAULT_CACHED_EVENTS);
  }

  /**
   * @param client a DynamoDB client (its retry strategy handles throttled requests)
   * @param tables the table names; the tables must exist (see {@link DynamoDbSchema#ensure})
   * @param cachedEvents how many committed events to keep in memory, 0 for none
   */
  public DynamoDbStorageAdapter(DynamoDbClient client, DynamoDbTables tables, int cachedEvents) {
    this(client, tables, cachedEvents, null);
  }

  /**
   * @param client a DynamoDB client (its retry strategy handles throttled requests)
   * @param tables the table names; the tables must exist (see {@link DynamoDbSchema#ensure})
   * @param cachedEvents how many committed events to keep in memory, 0 for none
   * @param largeData where event data above its threshold is kept (docs/dynamodb.md#large-events);
   *     null keeps all data in the items, so an event must fit DynamoDB's 400 KB item limit
   */
  public DynamoDbStorageAdapter(
      DynamoDbClient client,
      DynamoDbTables tables,
      int cachedEvents,
      @Nullable EventDataBucket largeData) {
    this(client, tables, cachedEvents, largeData, MAX_GROUP_TRANSACTIONS);
  }

  /**
   * @param client a DynamoDB client (its retry strategy handles throttled requests)
   * @param tables the table names; the tables must exist (see {@link DynamoDbSchema#ensure})
   * @param cachedEvents how many committed events to keep in memory, 0 for none
   * @param largeData where event data above its threshold is kept (docs/dynamodb.md#large-events);
   *     null keeps all data in the items, so an event must fit DynamoDB's 400 KB item limit
   * @param groupTransactions group commit (docs/dynamodb.md#group-commit): the most transactions of
   *     one database written in one {@code TransactWriteItems}, 1 to {@link
   *     #MAX_GROUP_TRANSACTIONS}; 1 turns group commit off
   * @throws IllegalArgumentException when {@code groupTransactions} is out of range
   */
  public DynamoDbStorageAdapter(
      DynamoDbClient client,
      DynamoDbTables tables,
      int cachedEvents,
      @Nullable EventDataBucket largeData,
      int groupTransactions) {
    if (groupTransactions < 1 || groupTransactions > MAX_GROUP_TRANSACTIONS) {
      throw new IllegalArgumentException(
          "groupTransactions must be 1 to "
              + MAX_GROUP_TRANSACTIONS
              + " (DynamoDB's 100 items per transaction), was "
              + groupTransactions);
    }
    this.client = client;
    this.tables = tables;
    this.cache = new EventCache(cachedEvents);
    this.largeData = largeData;
    this.graveyard = new Graveyard(client, tables);
    this.maxGroupTransactions = groupTransactions;
  }

  /** The table names this adapter uses. */
  public DynamoDbTables tables() {
    return tables;
  }

  @Override
  public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
    // marks this call's catalog item: when an attempt's answer is lost and the SDK's retry is
    // cancelled because the item now exists, the marker tells that the item is this call's own
    String marker = UUID.randomUUID().toString();
    for (int attempt = 0; ; attempt++) {
      var current = head(name);
      if (current != null && !isDeleted(current)) {
        if (marker.equals(catalogItem(current).optionalString(TX_NONCE))) {
          return info(current);
        }
        throw new EvidentSourceException(
            ErrorCode.DATABASE_EXISTS,
            "database '" + name + "' already exists",
            Map.of("database", name.value()));
      }
      // a tombstone in the catalog was written by versions before purging; otherwise the name's
      // last generation is kept in the publications table (Graveyard)
      long last = current != null ? generation(current) : graveyard.lastGeneration(name);
      long generation = last + 1;
      var item = new HashMap<String, AttributeValue>();
      item.put(DynamoDbSchema.DB_NAME, s(name.value()));
      item.put("generation", n(generation));
      item.put("created_at", s(createdAt.toString()));
      item.put("revision", n(0));
      item.put("revision_time", s(createdAt.toString()));
      item.put(TX_NONCE, s(marker));
      try {
        if (current != null) {
          call(
              "PutItem",
              () ->
                  client.putItem(
                      b ->
                          b.tableName(tables.databases())
                              .item(item)
                              .conditionExpression("attribute_exists(deleted) AND generation = :g")
                              .expressionAttributeValues(Map.of(":g", n(last)))));
        } else {
          var put =
              Put.builder()
                  .tableName(tables.databases())
                  .item(item)
                  .conditionExpression("attribute_not_exists(#n)")
                  .expressionAttributeNames(Map.of("#n", DynamoDbSchema.DB_NAME))
                  .build();
          call(
              "TransactWriteItems",
              () ->
                  client.transactWriteItems(
                      b ->
                          b.transactItems(
                              TransactWriteItem.builder().put(put).build(),
                              graveyard.unchangedSince(name, last))));
        }
        return new DatabaseInfo(name, generation, createdAt, 0, createdAt);
      } catch (ConditionalCheckFailedException | TransactionCanceledException e) {
        // another instance created, re-created or deleted it meanwhile: look again
        if (attempt >= MAX_BACKOFF_ATTEMPTS) {
          throw storageFailure("TransactWriteItems", e);
        }
        backoff(attempt);
      }
    }
  }

  /**
   * Removes the database from the catalog in one {@code TransactWriteItems}: the catalog item goes
   * (so {@link #listDatabases} never reads it again), the name's last generation is kept, and a
   * purge job for the generation's items is written for {@link DatabasePurger}
   * (docs/dynamodb.md#deleting-a-database). The kept generation carries this call's marker and the
   * client's key: when an attempt's answer is lost and the SDK's retry is cancelled because the
   * item is gone, the marker tells that the deletion is this call's own; a later call with the same
   * key is told it repeats the name's last deletion.
   */
  @Override
  public boolean deleteDatabase(DatabaseName name, @Nullable String deleteKey) {
    String marker = UUID.randomUUID().toString();
    for (int attempt = 0; ; attempt++) {
      var current = head(name);
      boolean live = current != null && !isDeleted(current);
      if (!live || deleteKey != null) {
        var last = graveyard.lastDeletion(name);
        if (last != null && marker.equals(last.marker())) {
          deleted.accept(name);
          return true; // this call's own deletion, whose answer was lost
        }
        if (last != null && deleteKey != null && deleteKey.equals(last.key())) {
          return false; // the same delete sent again: it succeeded before
        }
      }
      if (current == null || !live) {
        throw notFound(name);
      }
      long generation = generation(current);
      var delete =
          Delete.builder()
              .tableName(tables.databases())
              .key(Map.of(DynamoDbSchema.DB_NAME, s(name.value())))
              .conditionExpression("generation = :g AND attribute_not_exists(deleted)")
              .expressionAttributeValues(Map.of(":g", n(generation)))
              .build();
      var items = new ArrayList<TransactWriteItem>();
      items.add(TransactWriteItem.builder().delete(delete).build());
      items.addAll(graveyard.buried(name, generation, marker, deleteKey));
      try {
        call("TransactWriteItems", () -> client.transactWriteItems(b -> b.transactItems(items)));
        deleted.accept(name);
        return true;
      } catch (TransactionCanceledException e) {
        // deleted, re-created or appended to meanwhile: look again
        if (attempt >= MAX_BACKOFF_ATTEMPTS) {
          throw storageFailure("TransactWriteItems", e);
        }
        backoff(attempt);
      }
    }
  }

  /**
   * Called with each database this adapter deleted, after the deletion committed (the storage wakes
   * its {@link DatabasePurger}).
   */
  void onDeleted(Consumer<DatabaseName> listener) {
    this.deleted = Objects.requireNonNull(listener, "listener");
  }

  /** The catalog-side records of deleted generations (last generation per name, purge jobs). */
  Graveyard graveyard() {
    return graveyard;
  }

  @Override
  public List<DatabaseInfo> listDatabases() {
    var out = new ArrayList<DatabaseInfo>();
    run(
        "Scan",
        () ->
            client
                .scanPaginator(b -> b.tableName(tables.databases()).consistentRead(true))
                .items()
                .forEach(
                    item -> {
                      if (!isDeleted(item)) {
                        out.add(info(item));
                      }
                    }));
    out.sort(Comparator.comparing(i -> i.name().value()));
    return out;
  }

  @Override
  public Optional<DatabaseInfo> findDatabase(DatabaseName name) {
    var item = head(name);
    return item == null || isDeleted(item) ? Optional.empty() : Optional.of(info(item));
  }

  @Override
  public AppendOutcome append(AppendRequest request) {
    return appendGroup(List.of(request));
  }

  @Override
  public int maxGroupTransactions() {
    return maxGroupTransactions;
  }

  /**
   * Takes transactions from the front while the head update, their events and their transaction
   * records fit DynamoDB's 100 items and 4 MB (sizes as {@link #checkAppendable} counts them), up
   * to {@link #maxGroupTransactions()}.
   */
  @Override
  public int fittingOneAppend(DatabaseName database, List<List<Event>> transactions) {
    int items = 1;
    long bytes = 0;
    int n = 0;
    for (List<Event> events : transactions) {
      if (n >= maxGroupTransactions) {
        break;
      }
      int moreItems = events.size() + 1;
      long moreBytes = DynamoDbLimits.HEAD_AND_RECORD_BYTES + itemBytes(database, events);
      if (n > 0
          && (items + moreItems > DynamoDbLimits.TRANSACTION_ITEMS
              || bytes + moreBytes > DynamoDbLimits.TRANSACTION_BYTES)) {
        break;
      }
      items += moreItems;
      bytes += moreBytes;
      n++;
    }
    return n;
  }

  /**
   * Appends the transactions in one {@code TransactWriteItems} (group commit,
   * docs/dynamodb.md#group-commit): one head update from the first request's expected head to the
   * last request's last revision, then each request's event puts and its transaction record, all
   * marked with one write nonce. A cancellation is mapped as for one transaction: a recorded
   * transaction id to {@code Duplicate} naming that request (or {@code Committed} when the record
   * is this call's own), the head's condition or a conflict to {@code HeadMoved}, throttling to a
   * retry with backoff.
   */
  @Override
  public AppendOutcome appendGroup(List<AppendRequest> requests) {
    checkGroup(requests);
    AppendRequest firstRequest = requests.get(0);
    AppendRequest lastRequest = requests.get(requests.size() - 1);
    DatabaseName database = firstRequest.database();
    String partition = EventItems.partition(database.value(), firstRequest.generation());
    long expected = firstRequest.expectedHead();
    long last = lastRequest.expectedHead() + lastRequest.events().size();
    String recorded = lastRequest.recordedTime().toString();
    // Marks this call's writes: a transaction record carrying it was written by this call (an
    // attempt whose answer was lost), not by an earlier request with the same transaction id.
    String nonce = UUID.randomUUID().toString();
    var items = new ArrayList<TransactWriteItem>();
    items.add(
        TransactWriteItem.builder()
            .update(
                Update.builder()
                    .tableName(tables.databases())
                    .key(Map.of(DynamoDbSchema.DB_NAME, s(database.value())))
                    .updateExpression("SET revision = :last, revision_time = :rt")
                    .conditionExpression(
                        "revision = :expected AND generation = :g AND"
                            + " attribute_not_exists(deleted)")
                    .expressionAttributeValues(
                        Map.of(
                            ":last", n(last),
                            ":rt", s(recorded),
                            ":expected", n(expected),
                            ":g", n(firstRequest.generation())))
                    .returnValuesOnConditionCheckFailure(
                        ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build())
            .build());
    int[] recordItems = new int[requests.size()];
    for (int m = 0; m < requests.size(); m++) {
      AppendRequest request = requests.get(m);
      checkAppendable(database, request.events());
      long first = request.expectedHead() + 1;
      long revision = first;
      for (Event e : request.events()) {
        String dataRef = largeData != null && largeData.offloads(e.data()) ? storeData(e) : null;
        items.add(
            TransactWriteItem.builder()
                .put(
                    Put.builder()
                        .tableName(tables.events())
                        .item(
                            EventItems.toItem(
                                partition,
                                revision++,
                                request.transactionId(),
                                request.recordedTime(),
                                e,
                                dataRef))
                        .conditionExpression("attribute_not_exists(#r)")
                        .expressionAttributeNames(Map.of("#r", DynamoDbSchema.EV_SK))
                        .build())
                .build());
      }
      recordItems[m] = items.size();
      items.add(
          TransactWriteItem.builder()
              .put(
                  Put.builder()
                      .tableName(tables.transactions())
                      .item(
                          transactionItem(
                              partition,
                              request,
                              first,
                              revision - 1,
                              request.recordedTime().toString(),
                              nonce))
                      .conditionExpression("attribute_not_exists(#t)")
                      .expressionAttributeNames(Map.of("#t", DynamoDbSchema.TX_PK))
                      .build())
              .build());
    }

    boolean ambiguous = false;
    for (int attempt = 0; ; attempt++) {
      try {
        client.transactWriteItems(b -> b.transactItems(items));
        return committed(requests);
      } catch (TransactionCanceledException e) {
        var outcome = cancelled(requests, recordItems, nonce, e);
        if (outcome != null) {
          return outcome;
        }
        ambiguous |= Outcomes.ambiguous(e);
        if (attempt >= MAX_BACKOFF_ATTEMPTS) {
          if (ambiguous) {
            return resolve(requests, nonce, e);
          }
          throw storageFailure("TransactWriteItems", e);
        }
        backoff(attempt);
      } catch (SdkException e) {
        if (!Outcomes.ambiguous(e)) {
          throw storageFailure("TransactWriteItems", e);
        }
        return resolve(requests, nonce, e);
      }
    }
  }

  /** Throws unless the requests form one group: one database generation, chained heads. */
  private void checkGroup(List<AppendRequest> requests) {
    if (requests.isEmpty() || requests.size() > Math.max(1, maxGroupTransactions)) {
      throw new IllegalArgumentException(
          "a group append takes 1 to "
              + maxGroupTransactions
              + " requests, got "
              + requests.size());
    }
    AppendRequest first = requests.get(0);
    long next = first.expectedHead();
    for (AppendRequest r : requests) {
      if (!r.database().equals(first.database()) || r.generation() != first.generation()) {
        throw new IllegalArgumentException(
            "a group append writes one database generation: "
                + first.database()
                + "#"
                + first.generation()
                + " and "
                + r.database()
                + "#"
                + r.generation());
      }
      if (r.expectedHead() != next) {
        throw new IllegalArgumentException(
            "request for transaction "
                + r.transactionId()
                + " expects head "
                + r.expectedHead()
                + " but the request before it ends at "
                + next);
      }
      next += r.events().size();
    }
  }

  private String storeData(Event e) {
    var bucket = Objects.requireNonNull(largeData);
    return bucket.store(Objects.requireNonNull(e.data()));
  }

  /** A stored event from its item, with data kept in S3 read back. */
  private StoredEvent event(Map<String, AttributeValue> item) {
    var bucket = largeData;
    return bucket == null
        ? EventItems.fromItem(tables.events(), item)
        : EventItems.fromItem(tables.events(), item, bucket::load);
  }

  /**
   * Checks that {@code events} fit one DynamoDB transaction as this adapter writes them
   * (docs/limits.md#storage): each event item within DynamoDB's 400 KB item limit (data above the
   * large-data threshold counted as its S3 reference), and all items of the transaction, the head
   * update and the transaction record included, within the 4 MB and 100-item transaction limits.
   * The sizes are upper bounds computed without any request.
   *
   * @throws EvidentSourceException {@code EVENT_TOO_LARGE} (with the event's {@code index}), {@code
   *     TRANSACTION_TOO_LARGE} or {@code BATCH_TOO_LARGE}, each naming the DynamoDB limit
   */
  @Override
  public void checkAppendable(DatabaseName database, List<Event> events) {
    if (events.size() + 2 > DynamoDbLimits.TRANSACTION_ITEMS) {
      throw new EvidentSourceException(
          ErrorCode.BATCH_TOO_LARGE,
          "the transaction has "
              + events.size()
              + " events; a DynamoDB transaction holds at most "
              + DynamoDbLimits.TRANSACTION_ITEMS
              + " items, the head and the transaction record included, so at most "
              + (DynamoDbLimits.TRANSACTION_ITEMS - 2)
              + " events",
          limitFields(
              DynamoDbLimits.TRANSACTION_ITEMS - 2,
              events.size(),
              "DynamoDB items per transaction"));
    }
    String partition = EventItems.partition(database.value(), Long.MAX_VALUE);
    long total = DynamoDbLimits.HEAD_AND_RECORD_BYTES;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      long size = itemBytes(partition, e);
      if (size > DynamoDbLimits.ITEM_BYTES) {
        var fields = limitFields(DynamoDbLimits.ITEM_BYTES, size, "DynamoDB item size");
        fields.put("index", i);
        throw new EvidentSourceException(
            ErrorCode.EVENT_TOO_LARGE,
            "the event at index "
                + i
                + " takes "
                + size
                + " bytes as a DynamoDB item; DynamoDB holds at most "
                + DynamoDbLimits.ITEM_BYTES
                + " bytes (400 KB) per item"
                + (largeData == null
                    ? ""
                    : " (its data counts only up to the large-data threshold of "
                        + largeData.threshold()
                        + " bytes; larger data goes to S3, so its other attributes are too large)"),
            fields);
      }
      total += size;
    }
    if (total > DynamoDbLimits.TRANSACTION_BYTES) {
      throw new EvidentSourceException(
          ErrorCode.TRANSACTION_TOO_LARGE,
          "the transaction's "
              + events.size()
              + " events take "
              + total
              + " bytes as DynamoDB items; a DynamoDB transaction holds at most "
              + DynamoDbLimits.TRANSACTION_BYTES
              + " bytes (4 MB)"
              + (largeData == null
                  ? ""
                  : "; data above "
                      + largeData.threshold()
                      + " bytes per event goes to S3 and counts only as its reference")
              + ": send fewer or smaller events per transaction",
          limitFields(DynamoDbLimits.TRANSACTION_BYTES, total, "DynamoDB transaction size"));
    }
  }

  /** The DynamoDB item sizes of {@code events}, an upper bound (see {@link ItemSize}). */
  private long itemBytes(DatabaseName database, List<Event> events) {
    String partition = EventItems.partition(database.value(), Long.MAX_VALUE);
    long bytes = 0;
    for (Event e : events) {
      bytes += itemBytes(partition, e);
    }
    return bytes;
  }

  private long itemBytes(String partition, Event e) {
    String ref = largeData != null && largeData.offloads(e.data()) ? PLACEHOLDER_DIGEST : null;
    return ItemSize.of(
        EventItems.toItem(partition, Long.MAX_VALUE, PLACEHOLDER_ID, PLACEHOLDER_TIME, e, ref));
  }

  private static final String PLACEHOLDER_DIGEST = "0".repeat(64);
  private static final UUID PLACEHOLDER_ID = new UUID(0, 0);
  private static final Instant PLACEHOLDER_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private static Map<String, Object> limitFields(long limit, long actual, String name) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("limit", limit);
    fields.put("actual", actual);
    fields.put("limit_name", name);
    return fields;
  }

  /** The outcome of a group append this call wrote (the last request's result); caches events. */
  private AppendOutcome committed(List<AppendRequest> requests) {
    TransactionResult result = null;
    for (AppendRequest request : requests) {
      String partition = EventItems.partition(request.database().value(), request.generation());
      long first = request.expectedHead() + 1;
      long r = first;
      for (Event e : request.events()) {
        cache.put(partition, new StoredEvent(r++, request.recordedTime(), e));
      }
      result =
          new TransactionResult(
              request.transactionId(),
              first,
              request.expectedHead() + request.events().size(),
              request.events().size(),
              request.recordedTime(),
              false);
    }
    return new AppendOutcome.Committed(Objects.requireNonNull(result));
  }

  /**
   * Finds out what became of an append whose answer DynamoDB did not give (the SDK's attempts timed
   * out, lost the connection or met server errors): the first request's transaction record written
   * by this call means {@code Committed} (a group is written whole or not at all), one written by
   * another request with the same id {@code Duplicate}, none while the head moved past the expected
   * revision {@code HeadMoved} (this append's head condition can no longer hold). Otherwise an
   * attempt may still be in flight: {@code COMMIT_UNKNOWN}, naming the transaction id a retry must
   * carry (the core names each member's own).
   *
   * <p>The head is read before the record: a head beyond the expected revision read first and no
   * record read after it proves that this append did not commit and never will.
   */
  private AppendOutcome resolve(List<AppendRequest> requests, String nonce, SdkException cause) {
    AppendRequest request = requests.get(0);
    Map<String, AttributeValue> head;
    Optional<ItemReader> record;
    try {
      head = head(request.database());
      record = transactionItem(request.database(), request.generation(), request.transactionId());
    } catch (RuntimeException readFailure) {
      var unknown = commitUnknown(request, cause);
      unknown.addSuppressed(readFailure);
      throw unknown;
    }
    if (record.isPresent()) {
      return nonce.equals(record.get().optionalString(TX_NONCE))
          ? committed(requests)
          : new AppendOutcome.Duplicate(transactionResult(record.get(), request.transactionId()));
    }
    if (head == null || isDeleted(head) || generation(head) != request.generation()) {
      throw notFound(request.database());
    }
    if (revision(head) != request.expectedHead()) {
      return new AppendOutcome.HeadMoved(revision(head));
    }
    throw commitUnknown(request, cause);
  }

  private static EvidentSourceException commitUnknown(AppendRequest request, SdkException cause) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("database", request.database().value());
    fields.put("transaction_id", request.transactionId().toString());
    return new EvidentSourceException(
        ErrorCode.COMMIT_UNKNOWN,
        "DynamoDB did not answer whether transaction "
            + request.transactionId()
            + " on database '"
            + request.database()
            + "' committed ("
            + cause.getMessage()
            + "); send it again with transaction_id "
            + request.transactionId()
            + ": if it committed, the original result comes back as a duplicate, else it is"
            + " appended once",
        fields,
        cause);
  }

  /**
   * Maps a cancelled group append; null when it was throttled and should be retried. {@code
   * recordItems} holds the item index of each request's transaction record.
   */
  private @Nullable AppendOutcome cancelled(
      List<AppendRequest> requests,
      int[] recordItems,
      String nonce,
      TransactionCanceledException e) {
    List<CancellationReason> reasons =
        e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
    // a known transaction id wins over any other reason (docs/data-model.md#fine-points); the
    // record may also be this call's own, from an attempt whose answer was lost. One transaction's
    // record is always looked up (as before group commit); in a group, those whose condition
    // failed, or all when DynamoDB gave no reasons.
    for (int m = 0; m < requests.size(); m++) {
      boolean suspect =
          requests.size() == 1
              || reasons.size() <= recordItems[m]
              || "ConditionalCheckFailed".equals(reasons.get(recordItems[m]).code());
      if (!suspect) {
        continue;
      }
      AppendRequest request = requests.get(m);
      var known =
          transactionItem(request.database(), request.generation(), request.transactionId());
      if (known.isPresent()) {
        return nonce.equals(known.get().optionalString(TX_NONCE))
            ? committed(requests)
            : new AppendOutcome.Duplicate(transactionResult(known.get(), request.transactionId()));
      }
    }
    var recordIndexes = new java.util.HashSet<Integer>();
    for (int i : recordItems) {
      recordIndexes.add(i);
    }
    boolean throttled = false;
    boolean headOrConflict = reasons.isEmpty();
    boolean eventExists = false;
    for (int i = 0; i < reasons.size(); i++) {
      String code = reasons.get(i).code();
      if (code == null || code.equals("None")) {
        continue;
      }
      switch (code) {
        case "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded" ->
            throttled = true;
        case "TransactionConflict" -> headOrConflict = true;
        case "ConditionalCheckFailed" -> {
          if (i == 0 || recordIndexes.contains(i)) {
            // the head moved (its events then exist too), or a record appeared and went again
            headOrConflict = true;
          } else {
            eventExists = true;
          }
        }
        default -> throw storageFailure("TransactWriteItems (" + code + ")", e);
      }
    }
    if (eventExists && !headOrConflict) {
      throw storageFailure("TransactWriteItems (event items exist above the head)", e);
    }
    AppendRequest request = requests.get(0);
    if (headOrConflict) {
      var head = head(request.database());
      if (head == null || isDeleted(head) || generation(head) != request.generation()) {
        throw notFound(request.database());
      }
      return new AppendOutcome.HeadMoved(revision(head));
    }
    if (throttled) {
      return null;
    }
    throw storageFailure("TransactWriteItems", e);
  }

  @Override
  public List<StoredEvent> readRange(
      DatabaseName database, long generation, long fromRevision, long toRevision) {
    long head = liveHead(database, generation);
    long to = Math.min(toRevision, head);
    long from = Math.max(1, fromRevision);
    if (from > to) {
      return List.of();
    }
    String partition = EventItems.partition(database.value(), generation);
    var out = new ArrayList<StoredEvent>((int) Math.min(to - from + 1, 10_000));
    for (long r = from; r <= to; r++) {
      StoredEvent cached = cache.get(partition, r);
      if (cached == null) {
        break;
      }
      out.add(cached);
    }
    if (out.size() == to - from + 1) {
      return out;
    }
    long queryFrom = from + out.size();
    queryRevisions(
        partition,
        queryFrom,
        to,
        item -> {
          StoredEvent e = event(item);
          cache.put(partition, e);
          out.add(e);
        });
    if (out.size() != to - from + 1) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "database '" + database + "' log has " + out.size() + " events in " + from + ".." + to,
          Map.of("database", database.value()));
    }
    return out;
  }

  /**
   * Reads revisions {@code from..to} of a live generation grouped by the transaction that wrote
   * them (strongly consistent, bypassing the cache). A transaction cut by {@code to} is left out
   * unless it is the only one read. Used by the notification relay to republish from the log.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}
   */
  public List<List<StoredEvent>> readTransactions(
      DatabaseName database, long generation, long from, long to) {
    long head = liveHead(database, generation);
    long last = Math.min(to, head);
    var groups = new ArrayList<List<StoredEvent>>();
    if (from > last) {
      return groups;
    }
    var ids = new ArrayList<String>();
    queryRevisions(
        EventItems.partition(database.value(), generation),
        from,
        last,
        item -> {
          String tx =
              ItemReader.of(tables.events(), item, DynamoDbSchema.EV_PK, DynamoDbSchema.EV_SK)
                  .string("tx");
          if (ids.isEmpty() || !ids.get(ids.size() - 1).equals(tx)) {
            ids.add(tx);
            groups.add(new ArrayList<>());
          }
          groups.get(groups.size() - 1).add(event(item));
        });
    if (last < head && groups.size() > 1) {
      groups.remove(groups.size() - 1); // may continue beyond `to`
    }
    return groups;
  }

  /** Hands each event item of revisions {@code from..to} to {@code sink}, in revision order. */
  private void queryRevisions(
      String partition, long from, long to, Consumer<Map<String, AttributeValue>> sink) {
    run(
        "Query",
        () ->
            client
                .queryPaginator(
                    b ->
                        b.tableName(tables.events())
                            .consistentRead(true)
                            .keyConditionExpression("#p = :p AND #r BETWEEN :from AND :to")
                            .expressionAttributeNames(
                                Map.of("#p", DynamoDbSchema.EV_PK, "#r", DynamoDbSchema.EV_SK))
                            .expressionAttributeValues(
                                Map.of(":p", s(partition), ":from", n(from), ":to", n(to))))
                .items()
                .forEach(sink));
  }

  @Override
  public List<StoredEvent> readRevisions(DatabaseName database, long generation, long[] revisions) {
    long head = liveHead(database, generation);
    var distinct = new LinkedHashSet<Long>();
    for (long r : revisions) {
      if (r < 1 || r > head) {
        throw new RevisionNotFoundException(database.value(), r, head);
      }
      distinct.add(r);
    }
    String partition = EventItems.partition(database.value(), generation);
    var found = new HashMap<Long, StoredEvent>();
    var pending = new ArrayList<Map<String, AttributeValue>>();
    for (long r : distinct) {
      StoredEvent cached = cache.get(partition, r);
      if (cached != null) {
        found.put(r, cached);
        continue;
      }
      pending.add(Map.of(DynamoDbSchema.EV_PK, s(partition), DynamoDbSchema.EV_SK, n(r)));
      if (pending.size() == BATCH_GET_LIMIT) {
        batchGet(partition, pending, found);
        pending.clear();
      }
    }
    if (!pending.isEmpty()) {
      batchGet(partition, pending, found);
    }
    var out = new ArrayList<StoredEvent>(revisions.length);
    for (long r : revisions) {
      StoredEvent e = found.get(r);
      if (e == null) {
        throw new EvidentSourceException(
            ErrorCode.INTERNAL,
            "database '" + database + "' log has no item for revision " + r + " below head " + head,
            Map.of("database", database.value(), "revision", r));
      }
      out.add(e);
    }
    return out;
  }

  private void batchGet(
      String partition, List<Map<String, AttributeValue>> keys, Map<Long, StoredEvent> into) {
    Map<String, KeysAndAttributes> request =
        Map.of(
            tables.events(),
            KeysAndAttributes.builder().keys(List.copyOf(keys)).consistentRead(true).build());
    for (int attempt = 0; ; attempt++) {
      Map<String, KeysAndAttributes> asked = request;
      BatchGetItemResponse response =
          call("BatchGetItem", () -> client.batchGetItem(b -> b.requestItems(asked)));
      for (var item : response.responses().getOrDefault(tables.events(), List.of())) {
        StoredEvent e = event(item);
        cache.put(partition, e);
        into.put(e.revision(), e);
      }
      var unprocessed = response.unprocessedKeys();
      if (unprocessed == null || unprocessed.isEmpty()) {
        return;
      }
      if (attempt >= MAX_BACKOFF_ATTEMPTS) {
        throw new EvidentSourceException(
            ErrorCode.INTERNAL,
            "BatchGetItem left keys unprocessed after " + attempt + " retries",
            Map.of("table", tables.events()));
      }
      backoff(attempt);
      request = unprocessed;
    }
  }

  @Override
  public Optional<TransactionResult> findTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    return transactionItem(database, generation, transactionId)
        .map(item -> transactionResult(item, transactionId));
  }

  @Override
  public Optional<TransactionRecord> readTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    return transactionItem(database, generation, transactionId)
        .map(
            item -> {
              // records written before the audit existed have no origin attributes
              var origin =
                  item.has(TX_PRINCIPAL)
                      ? new TransactionOrigin(
                          item.string(TX_PRINCIPAL),
                          item.string(TX_ORIGIN),
                          item.string(TX_REQUEST_ID),
                          item.optionalString(TX_REMOTE),
                          item.optionalString(TX_USER_AGENT))
                      : TransactionOrigin.UNKNOWN;
              return new TransactionRecord(transactionResult(item, transactionId), origin);
            });
  }

  /** The idempotency record of a transaction (strongly consistent), if it exists. */
  private Optional<ItemReader> transactionItem(
      DatabaseName database, long generation, UUID transactionId) {
    String key = transactionKey(EventItems.partition(database.value(), generation), transactionId);
    var response =
        call(
            "GetItem",
            () ->
                client.getItem(
                    b ->
                        b.tableName(tables.transactions())
                            .consistentRead(true)
                            .key(Map.of(DynamoDbSchema.TX_PK, s(key)))));
    if (!response.hasItem() || response.item().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ItemReader.of(tables.transactions(), response.item(), DynamoDbSchema.TX_PK));
  }

  private static TransactionResult transactionResult(ItemReader item, UUID transactionId) {
    long first = item.number("first");
    long last = item.number("last");
    return new TransactionResult(
        transactionId, first, last, (int) (last - first + 1), item.instant("rt"), false);
  }

  /** Attributes of a transaction item beside its key, range and time: the audit origin. */
  static final String TX_PRINCIPAL = "pr";

  static final String TX_ORIGIN = "og";
  static final String TX_REQUEST_ID = "rq";
  static final String TX_REMOTE = "ra";
  static final String TX_USER_AGENT = "ua";

  /**
   * The write marker (a random UUID) of the append call that wrote the record, so that call
   * recognises its own commit after a lost answer; absent on records written before it.
   */
  static final String TX_NONCE = "nc";

  private static Map<String, AttributeValue> transactionItem(
      String partition,
      AppendRequest request,
      long first,
      long last,
      String recorded,
      String nonce) {
    var item = new HashMap<String, AttributeValue>();
    item.put(TX_NONCE, s(nonce));
    item.put(DynamoDbSchema.TX_PK, s(transactionKey(partition, request.transactionId())));
    item.put("first", n(first));
    item.put("last", n(last));
    item.put("rt", s(recorded));
    var origin = request.origin();
    item.put(TX_PRINCIPAL, s(origin.principal()));
    item.put(TX_ORIGIN, s(origin.origin()));
    item.put(TX_REQUEST_ID, s(origin.requestId()));
    if (origin.remoteAddress() != null && !origin.remoteAddress().isEmpty()) {
      item.put(TX_REMOTE, s(origin.remoteAddress()));
    }
    if (origin.userAgent() != null && !origin.userAgent().isEmpty()) {
      item.put(TX_USER_AGENT, s(origin.userAgent()));
    }
    return item;
  }

  private static String transactionKey(String partition, UUID transactionId) {
    return partition + "#" + transactionId;
  }

  /** The catalog item (strongly consistent), tombstones included, or null. */
  private @Nullable Map<String, AttributeValue> head(DatabaseName name) {
    var response =
        call(
            "GetItem",
            () ->
                client.getItem(
                    b ->
                        b.tableName(tables.databases())
                            .consistentRead(true)
                            .key(Map.of(DynamoDbSchema.DB_NAME, s(name.value())))));
    return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
  }

  /** The head revision of that generation, or DATABASE_NOT_FOUND. */
  private long liveHead(DatabaseName name, long generation) {
    var item = head(name);
    if (item == null || isDeleted(item) || generation(item) != generation) {
      throw notFound(name);
    }
    return revision(item);
  }

  private static boolean isDeleted(Map<String, AttributeValue> item) {
    return item.containsKey("deleted");
  }

  private ItemReader catalogItem(Map<String, AttributeValue> item) {
    return ItemReader.of(tables.databases(), item, DynamoDbSchema.DB_NAME);
  }

  private long generation(Map<String, AttributeValue> item) {
    return catalogItem(item).number("generation");
  }

  private long revision(Map<String, AttributeValue> item) {
    return catalogItem(item).number("revision");
  }

  private DatabaseInfo info(Map<String, AttributeValue> item) {
    var r = catalogItem(item);
    return new DatabaseInfo(
        DatabaseName.of(r.string(DynamoDbSchema.DB_NAME)),
        r.number("generation"),
        r.instant("created_at"),
        r.number("revision"),
        r.instant("revision_time"));
  }

  private static void backoff(int attempt) {
    long capMicros = Math.min(1_000_000L, 10_000L << Math.min(attempt, 7));
    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(capMicros / 2, capMicros) * 1000);
  }

  private static DatabaseNotFoundException notFound(DatabaseName name) {
    return new DatabaseNotFoundException(name.value());
  }

  private static EvidentSourceException storageFailure(String operation, SdkException e) {
    return new EvidentSourceException(
        ErrorCode.INTERNAL,
        "DynamoDB " + operation + " failed: " + e.getMessage(),
        Map.of("operation", operation),
        e);
  }

  /** An AWS call. */
  private interface Call<T> {
    T run();
  }

  /** {@link #call} for a call that hands its results to a sink rather than returning them. */
  private static void run(String operation, Runnable call) {
    call(
        operation,
        () -> {
          call.run();
          return Boolean.TRUE;
        });
  }

  /**
   * Runs an AWS call, letting the exceptions this class maps itself through and turning any other
   * AWS failure (after the client's retries) into an {@code INTERNAL} error naming the operation.
   */
  private static <T> T call(String operation, Call<T> call) {
    try {
      return call.run();
    } catch (ConditionalCheckFailedException | TransactionCanceledException e) {
      throw e;
    } catch (SdkException e) {
      throw storageFailure(operation, e);
    }
  }
}
