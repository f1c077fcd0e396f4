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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 *   <li>Catalog item per name: {@code generation}, {@code created_at}, {@code revision}, {@code
 *       revision_time} (RFC 3339 text, full precision). Deleting sets {@code deleted}: the item
 *       stays as a tombstone so the next database of that name gets {@code generation + 1}, and the
 *       old events, keyed {@code name#generation}, are never read again.
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

  /** Events cached by default (committed events are immutable; see {@link EventCache}). */
  public static final int DEFAULT_CACHED_EVENTS = 20_000;

  private final DynamoDbClient client;
  private final DynamoDbTables tables;
  private final EventCache cache;

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
    this.client = client;
    this.tables = tables;
    this.cache = new EventCache(cachedEvents);
  }

  /** The table names this adapter uses. */
  public DynamoDbTables tables() {
    return tables;
  }

  @Override
  public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
    while (true) {
      var current = head(name);
      if (current != null && !isDeleted(current)) {
        throw new EvidentSourceException(
            ErrorCode.DATABASE_EXISTS,
            "database '" + name + "' already exists",
            Map.of("database", name.value()));
      }
      long generation = current == null ? 1 : generation(current) + 1;
      var item = new HashMap<String, AttributeValue>();
      item.put(DynamoDbSchema.DB_NAME, s(name.value()));
      item.put("generation", n(generation));
      item.put("created_at", s(createdAt.toString()));
      item.put("revision", n(0));
      item.put("revision_time", s(createdAt.toString()));
      try {
        call(
            "PutItem",
            () ->
                client.putItem(
                    b -> {
                      b.tableName(tables.databases()).item(item);
                      if (current == null) {
                        b.conditionExpression("attribute_not_exists(#n)")
                            .expressionAttributeNames(Map.of("#n", DynamoDbSchema.DB_NAME));
                      } else {
                        b.conditionExpression("attribute_exists(deleted) AND generation = :g")
                            .expressionAttributeValues(Map.of(":g", n(generation - 1)));
                      }
                    }));
        return new DatabaseInfo(name, generation, createdAt, 0, createdAt);
      } catch (ConditionalCheckFailedException e) {
        // another instance created or re-created it meanwhile: look again
      }
    }
  }

  @Override
  public void deleteDatabase(DatabaseName name) {
    try {
      call(
          "UpdateItem",
          () ->
              client.updateItem(
                  b ->
                      b.tableName(tables.databases())
                          .key(Map.of(DynamoDbSchema.DB_NAME, s(name.value())))
                          .updateExpression("SET deleted = :t")
                          .conditionExpression(
                              "attribute_exists(#n) AND attribute_not_exists(deleted)")
                          .expressionAttributeNames(Map.of("#n", DynamoDbSchema.DB_NAME))
                          .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true)))));
    } catch (ConditionalCheckFailedException e) {
      throw notFound(name);
    }
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
    String partition = EventItems.partition(request.database().value(), request.generation());
    long first = request.expectedHead() + 1;
    long last = request.expectedHead() + request.events().size();
    String recorded = request.recordedTime().toString();
    var items = new ArrayList<TransactWriteItem>(request.events().size() + 2);
    items.add(
        TransactWriteItem.builder()
            .update(
                Update.builder()
                    .tableName(tables.databases())
                    .key(Map.of(DynamoDbSchema.DB_NAME, s(request.database().value())))
                    .updateExpression("SET revision = :last, revision_time = :rt")
                    .conditionExpression(
                        "revision = :expected AND generation = :g AND"
                            + " attribute_not_exists(deleted)")
                    .expressionAttributeValues(
                        Map.of(
                            ":last", n(last),
                            ":rt", s(recorded),
                            ":expected", n(request.expectedHead()),
                            ":g", n(request.generation())))
                    .returnValuesOnConditionCheckFailure(
                        ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build())
            .build());
    long revision = first;
    for (Event e : request.events()) {
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
                              e))
                      .conditionExpression("attribute_not_exists(#r)")
                      .expressionAttributeNames(Map.of("#r", DynamoDbSchema.EV_SK))
                      .build())
              .build());
    }
    items.add(
        TransactWriteItem.builder()
            .put(
                Put.builder()
                    .tableName(tables.transactions())
                    .item(transactionItem(partition, request, first, last, recorded))
                    .conditionExpression("attribute_not_exists(#t)")
                    .expressionAttributeNames(Map.of("#t", DynamoDbSchema.TX_PK))
                    .build())
            .build());

    for (int attempt = 0; ; attempt++) {
      try {
        call("TransactWriteItems", () -> client.transactWriteItems(b -> b.transactItems(items)));
        long r = first;
        for (Event e : request.events()) {
          cache.put(partition, new StoredEvent(r++, request.recordedTime(), e));
        }
        return new AppendOutcome.Committed(
            new TransactionResult(
                request.transactionId(),
                first,
                last,
                request.events().size(),
                request.recordedTime(),
                false));
      } catch (TransactionCanceledException e) {
        var outcome = cancelled(request, e);
        if (outcome != null) {
          return outcome;
        }
        if (attempt >= MAX_BACKOFF_ATTEMPTS) {
          throw storageFailure("TransactWriteItems", e);
        }
        backoff(attempt);
      }
    }
  }

  /** Maps a cancelled append; null when it was throttled and should be retried. */
  private @Nullable AppendOutcome cancelled(AppendRequest request, TransactionCanceledException e) {
    // a known transaction id wins over any other reason (docs/data-model.md#fine-points)
    var known = findTransaction(request.database(), request.generation(), request.transactionId());
    if (known.isPresent()) {
      return new AppendOutcome.Duplicate(known.get());
    }
    List<CancellationReason> reasons =
        e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
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
          if (i == 0) {
            headOrConflict = true; // the head moved (its events then exist too)
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
          StoredEvent e = EventItems.fromItem(tables.events(), item);
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
          groups.get(groups.size() - 1).add(EventItems.fromItem(tables.events(), item));
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
        StoredEvent e = EventItems.fromItem(tables.events(), item);
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

  private static Map<String, AttributeValue> transactionItem(
      String partition, AppendRequest request, long first, long last, String recorded) {
    var item = new HashMap<String, AttributeValue>();
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
