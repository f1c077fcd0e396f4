package io.evidentsource.storage.dynamodb;

import static io.evidentsource.storage.dynamodb.EventItems.n;
import static io.evidentsource.storage.dynamodb.EventItems.s;

import io.evidentsource.core.component.ComponentDefinition;
import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.selector.SelectorText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Published components in DynamoDB and S3, shared by every server instance (ADR 0007).
 *
 * <ul>
 *   <li>Metadata: one item per version in {@link DynamoDbTables#components()}, partition key {@code
 *       db#generation#kind}, sort key {@code name#version} (version zero-padded to ten digits, so a
 *       {@code Query} returns names in order and the versions of a name ascending). Keying by
 *       generation makes the components of a deleted database invisible to the next database of
 *       that name, as its events are (docs/data-model.md#databases, ADR 0007).
 *   <li>Versions: the next version of a name is the latest plus one, claimed by a put with {@code
 *       attribute_not_exists}; an instance that loses the race reads the latest again and retries,
 *       so concurrent publishers on any instance get distinct, dense versions and no publish is
 *       lost. After {@value #MAX_ATTEMPTS} lost races the publish fails with {@code
 *       CONTENTION_TIMEOUT}.
 *   <li>Module bytes (at most 16 MiB, docs/limits.md#webassembly-components): in S3 under {@code
 *       {prefix}/modules/{sha256}}, written before the metadata item, so a visible item always has
 *       its module; identical modules share one object. Reads check the digest.
 *   <li>All reads are strongly consistent; lists page through {@code Query}.
 * </ul>
 *
 * <p>{@link #forget} keeps the items and objects: like the events of a deleted generation they are
 * never read again, and a module may be shared by other databases. AWS failures surface as {@code
 * INTERNAL} errors naming the operation.
 */
public final class DynamoDbComponentRegistry implements ComponentRegistry {
  /** Lost version races tolerated per publish before giving up with {@code CONTENTION_TIMEOUT}. */
  public static final int MAX_ATTEMPTS = 50;

  private static final String VIEW = "view";
  private static final String CHANGE = "change";

  private final DynamoDbClient dynamo;
  private final DynamoDbTables tables;
  private final S3Client s3;
  private final String bucket;

  /**
   * @param dynamo a DynamoDB client
   * @param tables the table names; {@link DynamoDbTables#components()} must exist (see {@link
   *     DynamoDbSchema#ensure})
   * @param s3 an S3 client
   * @param bucket the bucket holding module bytes; it must exist (see {@link
   *     ComponentBucket#ensure})
   */
  public DynamoDbComponentRegistry(
      DynamoDbClient dynamo, DynamoDbTables tables, S3Client s3, String bucket) {
    this.dynamo = dynamo;
    this.tables = tables;
    this.s3 = s3;
    this.bucket = bucket;
  }

  @Override
  public <D extends ComponentDefinition> PublishedComponent<D> add(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      D definition,
      byte[] module,
      Instant createdAt) {
    String digest = ModuleDigest.sha256Hex(module);
    var id =
        add(
            database,
            generation,
            kind,
            definition.name(),
            module,
            digest,
            createdAt,
            definitionAttributes(kind, definition));
    return new PublishedComponent<>(id, definition, createdAt, module.length, digest);
  }

  private ComponentId add(
      DatabaseName database,
      long generation,
      ComponentKind<?> kind,
      String name,
      byte[] module,
      String digest,
      Instant createdAt,
      Map<String, AttributeValue> attributes) {
    call(
        "S3 PutObject",
        () ->
            s3.putObject(
                b -> b.bucket(bucket).key(objectKey(digest)).contentType("application/wasm"),
                RequestBody.fromBytes(module)));
    String pk = partition(database, generation, kind);
    for (int attempt = 1; ; attempt++) {
      var latest = latestItem(pk, name);
      int version = latest == null ? 1 : version(reader(latest)) + 1;
      var item = new HashMap<>(attributes);
      item.put(DynamoDbSchema.CO_PK, s(pk));
      item.put(DynamoDbSchema.CO_SK, s(sortKey(name, version)));
      item.put("name", s(name));
      item.put("version", n(version));
      item.put("created_at", s(createdAt.toString()));
      item.put("module_sha256", s(digest));
      item.put("module_size", n(module.length));
      try {
        call(
            "PutItem",
            () ->
                dynamo.putItem(
                    b ->
                        b.tableName(tables.components())
                            .item(item)
                            .conditionExpression("attribute_not_exists(#pk)")
                            .expressionAttributeNames(Map.of("#pk", DynamoDbSchema.CO_PK))));
        return new ComponentId(database, generation, kind, name, version);
      } catch (ConditionalCheckFailedException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new EvidentSourceException(
              ErrorCode.CONTENTION_TIMEOUT,
              "publishing '"
                  + name
                  + "' in database '"
                  + database
                  + "' lost the race for the next version "
                  + MAX_ATTEMPTS
                  + " times (limit "
                  + MAX_ATTEMPTS
                  + " attempts); other instances keep publishing it",
              Map.of("database", database.value(), "name", name, "attempts", MAX_ATTEMPTS));
        }
        // another instance took this version: read the latest again after a short jittered pause
        long pauseNanos = ThreadLocalRandom.current().nextLong(1_000_000L << Math.min(attempt, 5));
        LockSupport.parkNanos(pauseNanos);
      }
    }
  }

  @Override
  public <D extends ComponentDefinition> Optional<PublishedComponent<D>> find(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      String name,
      @Nullable Integer version) {
    return findItem(database, generation, kind, name, version)
        .map(item -> published(database, generation, kind, item));
  }

  @Override
  public <D extends ComponentDefinition> List<PublishedComponent<D>> versions(
      DatabaseName database, long generation, ComponentKind<D> kind, String name) {
    return query(
        partition(database, generation, kind), name, i -> published(database, generation, kind, i));
  }

  @Override
  public <D extends ComponentDefinition> List<PublishedComponent<D>> list(
      DatabaseName database, long generation, ComponentKind<D> kind) {
    return query(
        partition(database, generation, kind), null, i -> published(database, generation, kind, i));
  }

  @Override
  public Optional<byte[]> module(ComponentId id) {
    var item = findItem(id.database(), id.generation(), id.kind(), id.name(), id.version());
    if (item.isEmpty()) {
      return Optional.empty();
    }
    String digest = reader(item.get()).string("module_sha256");
    byte[] bytes;
    try {
      bytes =
          call(
              "S3 GetObject",
              () ->
                  s3.getObjectAsBytes(b -> b.bucket(bucket).key(objectKey(digest))).asByteArray());
    } catch (EvidentSourceException e) {
      if (e.getCause() instanceof NoSuchKeyException) {
        throw new EvidentSourceException(
            ErrorCode.INTERNAL,
            "the module of "
                + id
                + " is missing from bucket '"
                + bucket
                + "' at "
                + objectKey(digest),
            Map.of("bucket", bucket, "key", objectKey(digest)),
            e);
      }
      throw e;
    }
    if (!ModuleDigest.sha256Hex(bytes).equals(digest)) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "the module of "
              + id
              + " in bucket '"
              + bucket
              + "' does not match its SHA-256 "
              + digest,
          Map.of("bucket", bucket, "key", objectKey(digest)));
    }
    return Optional.of(bytes);
  }

  @Override
  public void forget(DatabaseName database) {
    // nothing to do: the items are keyed by generation, and the next generation never sees them
  }

  private Optional<Map<String, AttributeValue>> findItem(
      DatabaseName database,
      long generation,
      ComponentKind<?> kind,
      String name,
      @Nullable Integer version) {
    String pk = partition(database, generation, kind);
    if (version == null) {
      return Optional.ofNullable(latestItem(pk, name));
    }
    if (version < 1) {
      return Optional.empty();
    }
    var response =
        call(
            "GetItem",
            () ->
                dynamo.getItem(
                    b ->
                        b.tableName(tables.components())
                            .consistentRead(true)
                            .key(
                                Map.of(
                                    DynamoDbSchema.CO_PK,
                                    s(pk),
                                    DynamoDbSchema.CO_SK,
                                    s(sortKey(name, version))))));
    return response.hasItem() && !response.item().isEmpty()
        ? Optional.of(response.item())
        : Optional.empty();
  }

  private @Nullable Map<String, AttributeValue> latestItem(String pk, String name) {
    var response =
        call(
            "Query",
            () ->
                dynamo.query(
                    b ->
                        b.tableName(tables.components())
                            .consistentRead(true)
                            .keyConditionExpression("#pk = :pk AND begins_with(#sk, :name)")
                            .expressionAttributeNames(
                                Map.of("#pk", DynamoDbSchema.CO_PK, "#sk", DynamoDbSchema.CO_SK))
                            .expressionAttributeValues(Map.of(":pk", s(pk), ":name", s(name + "#")))
                            .scanIndexForward(false)
                            .limit(1)));
    return response.items().isEmpty() ? null : response.items().get(0);
  }

  /** All items of a partition in sort-key order, or those of one name; paged by the SDK. */
  private <T> List<T> query(
      String pk, @Nullable String name, Function<Map<String, AttributeValue>, T> mapper) {
    var names = new HashMap<String, String>(Map.of("#pk", DynamoDbSchema.CO_PK));
    var values = new HashMap<String, AttributeValue>(Map.of(":pk", s(pk)));
    String condition = "#pk = :pk";
    if (name != null) {
      condition += " AND begins_with(#sk, :name)";
      names.put("#sk", DynamoDbSchema.CO_SK);
      values.put(":name", s(name + "#"));
    }
    String keyCondition = condition;
    var out = new ArrayList<T>();
    call(
        "Query",
        () -> {
          dynamo
              .queryPaginator(
                  b ->
                      b.tableName(tables.components())
                          .consistentRead(true)
                          .keyConditionExpression(keyCondition)
                          .expressionAttributeNames(names)
                          .expressionAttributeValues(values))
              .items()
              .forEach(item -> out.add(mapper.apply(item)));
          return Boolean.TRUE;
        });
    return List.copyOf(out);
  }

  /**
   * The item attributes of a definition besides name and version: {@code description}, and for a
   * state view {@code content_type}, {@code content_schema}, {@code event_selector} (selector text)
   * and {@code query_temporality}.
   */
  private static Map<String, AttributeValue> definitionAttributes(
      ComponentKind<?> kind, ComponentDefinition definition) {
    var attributes = new HashMap<String, AttributeValue>();
    if (definition.description() != null) {
      attributes.put("description", s(definition.description()));
    }
    if (kind == ComponentKind.STATE_VIEW) {
      var view = ComponentKind.STATE_VIEW.definitionType().cast(definition);
      attributes.put("content_type", s(view.contentType()));
      if (view.contentSchema() != null) {
        attributes.put("content_schema", s(view.contentSchema()));
      }
      attributes.put("event_selector", s(SelectorText.format(view.selector())));
      attributes.put("query_temporality", s(view.temporality().jsonName()));
    }
    return attributes;
  }

  /** The definition an item of {@code kind} holds ({@link #definitionAttributes} reversed). */
  private static <D extends ComponentDefinition> D definition(
      ComponentKind<D> kind, ItemReader item) {
    String name = item.string("name");
    String description = item.optionalString("description");
    ComponentDefinition definition =
        kind == ComponentKind.STATE_VIEW
            ? new StateViewDefinition(
                name,
                description,
                item.string("content_type"),
                item.optionalString("content_schema"),
                SelectorText.parse(item.string("event_selector")),
                QueryTemporality.fromJson(item.string("query_temporality")))
            : new StateChangeDefinition(name, description);
    return kind.definitionType().cast(definition);
  }

  private <D extends ComponentDefinition> PublishedComponent<D> published(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      Map<String, AttributeValue> attributes) {
    var item = reader(attributes);
    return new PublishedComponent<>(
        new ComponentId(database, generation, kind, item.string("name"), version(item)),
        definition(kind, item),
        item.instant("created_at"),
        item.intNumber("module_size"),
        item.string("module_sha256"));
  }

  private static int version(ItemReader item) {
    return item.intNumber("version");
  }

  private ItemReader reader(Map<String, AttributeValue> item) {
    return ItemReader.of(tables.components(), item, DynamoDbSchema.CO_PK, DynamoDbSchema.CO_SK);
  }

  /** The partitions of every component kind of one database generation (for the purge). */
  static List<String> partitions(String database, long generation) {
    String prefix = database + "#" + generation + "#";
    return List.of(prefix + VIEW, prefix + CHANGE);
  }

  private static String partition(DatabaseName database, long generation, ComponentKind<?> kind) {
    return database.value()
        + "#"
        + generation
        + "#"
        + (kind == ComponentKind.STATE_VIEW ? VIEW : CHANGE);
  }

  /** {@code name#0000000007}: names hold no '#', which sorts before every name character. */
  private static String sortKey(String name, int version) {
    return name + "#" + String.format("%010d", version);
  }

  private String objectKey(String digest) {
    return tables.prefix() + "/modules/" + digest;
  }

  private static <T> T call(String operation, Call<T> call) {
    try {
      return call.run();
    } catch (ConditionalCheckFailedException e) {
      throw e;
    } catch (SdkException e) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          (operation.startsWith("S3") ? "" : "DynamoDB ")
              + operation
              + " failed: "
              + e.getMessage(),
          Map.of("operation", operation),
          e);
    }
  }

  /** An AWS call. */
  private interface Call<T> {
    T run();
  }
}
