package io.evidentsource.client;

import io.evidentsource.api.ProtoCloudEvents;
import io.evidentsource.api.v1.CreateDatabaseRequest;
import io.evidentsource.api.v1.DeleteDatabaseRequest;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.ExecuteCommandRequest;
import io.evidentsource.api.v1.GetDatabaseRequest;
import io.evidentsource.api.v1.GetEventRequest;
import io.evidentsource.api.v1.ListDatabasesRequest;
import io.evidentsource.api.v1.QueryEventsRequest;
import io.evidentsource.api.v1.QueryEventsResponse;
import io.evidentsource.api.v1.ReadStateViewRequest;
import io.evidentsource.api.v1.SubscribeEventsRequest;
import io.evidentsource.api.v1.SubscribeEventsResponse;
import io.evidentsource.api.v1.TransactRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * A client of an EvidentSource server over gRPC. Thread-safe; create one per server and close it
 * when done.
 *
 * <pre>{@code
 * try (var client = EvidentSourceClient.builder()
 *     .address("localhost", 9090)   // plaintext; .tls(true) for TLS
 *     .apiKey(System.getenv("EVIDENTSOURCE_API_KEY"))  // optional
 *     .deadline(Duration.ofSeconds(10))
 *     .build()) {
 *   client.createDatabase("orders");
 *
 *   // append only if nothing happened to order 42 since revision 0 (DCB-style guard)
 *   var placed = Event.builder()
 *       .id(UUID.randomUUID().toString())
 *       .source("https://shop.example/orders")
 *       .type("OrderPlaced")
 *       .subject("order-42")
 *       .tags("customer:7")
 *       .jsonData("{\"total\":99.5}")
 *       .build();
 *   TransactionResult result = client.transact("orders", List.of(placed),
 *       List.of(Condition.max(Selector.subject("order-42"), 0)));
 *
 *   // read lazily, 100 events per round trip
 *   try (Stream<StoredEvent> events = client.query("orders", Query.of(Selector.tag("customer:7")))) {
 *     events.forEach(e -> System.out.println(e.revision() + " " + e.event().type()));
 *   }
 *
 *   // follow new events live, from the next revision on
 *   try (Subscription live = client.subscribe("orders", Selector.any(), result.revision() + 1,
 *       event -> System.out.println("live: " + event.revision()))) {
 *     Thread.sleep(1_000);
 *   }
 * } catch (ConditionFailedException e) {
 *   System.out.println("someone else changed order 42: " + e.failures());
 * }
 * }</pre>
 *
 * <p>Errors are {@link EvidentSourceException}s with the server's stable {@code code}; a
 * transaction that fails with {@code UNAVAILABLE} or {@code ABORTED} is retried with the same
 * transaction id (a random one when the caller gave none), so it commits at most once.
 */
public final class EvidentSourceClient implements AutoCloseable {
  /** The header carrying the API key ({@code x-api-key}). */
  public static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final Channel channel;
  private final @Nullable ManagedChannel ownedChannel;
  private final EvidentSourceGrpc.EvidentSourceBlockingStub blocking;
  private final EvidentSourceGrpc.EvidentSourceStub async;
  private final Duration deadline;
  private final int maxAttempts;
  private final Duration retryBackoff;

  private EvidentSourceClient(Builder b) {
    if (b.channel != null) {
      this.channel = b.channel;
      this.ownedChannel = null;
    } else {
      var cb = ManagedChannelBuilder.forAddress(Objects.requireNonNull(b.host, "address"), b.port);
      if (b.tls) {
        cb.useTransportSecurity();
      } else {
        cb.usePlaintext();
      }
      cb.maxInboundMessageSize(b.maxInboundMessageBytes);
      this.ownedChannel = cb.build();
      this.channel = ownedChannel;
    }
    var blockingStub = EvidentSourceGrpc.newBlockingStub(channel);
    var asyncStub = EvidentSourceGrpc.newStub(channel);
    if (b.apiKey != null) {
      var headers = new Metadata();
      headers.put(API_KEY, b.apiKey);
      var interceptor = MetadataUtils.newAttachHeadersInterceptor(headers);
      blockingStub = blockingStub.withInterceptors(interceptor);
      asyncStub = asyncStub.withInterceptors(interceptor);
    }
    this.blocking = blockingStub;
    this.async = asyncStub;
    this.deadline = b.deadline;
    this.maxAttempts = b.maxAttempts;
    this.retryBackoff = b.retryBackoff;
  }

  public static Builder builder() {
    return new Builder();
  }

  private EvidentSourceGrpc.EvidentSourceBlockingStub stub() {
    return blocking.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Creates an empty database.
   *
   * @throws EvidentSourceException.AlreadyExists {@code database_exists}
   * @throws EvidentSourceException.InvalidRequest {@code invalid_database_name}
   */
  public Database createDatabase(String name) {
    try {
      return Wire.database(
          stub()
              .createDatabase(CreateDatabaseRequest.newBuilder().setName(name).build())
              .getDatabase());
    } catch (StatusRuntimeException e) {
      throw Wire.error(e);
    }
  }

  /**
   * Deletes a database and its events.
   *
   * @throws EvidentSourceException.NotFound {@code database_not_found}
   */
  public void deleteDatabase(String name) {
    try {
      stub().deleteDatabase(DeleteDatabaseRequest.newBuilder().setName(name).build());
    } catch (StatusRuntimeException e) {
      throw Wire.error(e);
    }
  }

  /**
   * Deletes a database and its events; safe to send again: the same call with the same {@code
   * idempotencyKey}, sent again after its answer was lost, succeeds again and deletes nothing more,
   * also not a database created under the name since (the server remembers the name's last
   * deletion).
   *
   * @param idempotencyKey 1 to 255 visible ASCII characters, e.g. a random UUID per delete
   * @throws EvidentSourceException.NotFound {@code database_not_found}
   */
  public void deleteDatabase(String name, String idempotencyKey) {
    try {
      stub()
          .deleteDatabase(
              DeleteDatabaseRequest.newBuilder()
                  .setName(name)
                  .setIdempotencyKey(idempotencyKey)
                  .build());
    } catch (StatusRuntimeException e) {
      throw Wire.error(e);
    }
  }

  /** Every database, ordered by name. */
  public List<Database> listDatabases() {
    try {
      var out = new ArrayList<Database>();
      stub()
          .listDatabases(ListDatabasesRequest.getDefaultInstance())
          .getDatabasesList()
          .forEach(d -> out.add(Wire.database(d)));
      return out;
    } catch (StatusRuntimeException e) {
      throw Wire.error(e);
    }
  }

  /**
   * One database with its head revision.
   *
   * @throws EvidentSourceException.NotFound {@code database_not_found}
   */
  public Database database(String name) {
    try {
      return Wire.database(
          stub().getDatabase(GetDatabaseRequest.newBuilder().setName(name).build()).getDatabase());
    } catch (StatusRuntimeException e) {
      throw Wire.error(e);
    }
  }

  /** Appends events unconditionally; see {@link #transact(String, UUID, List, List)}. */
  public TransactionResult transact(String database, List<Event> events) {
    return transact(database, UUID.randomUUID(), events, List.of());
  }

  /** Appends events if every condition holds; see {@link #transact(String, UUID, List, List)}. */
  public TransactionResult transact(
      String database, List<Event> events, List<Condition> conditions) {
    return transact(database, UUID.randomUUID(), events, conditions);
  }

  /**
   * Appends {@code events} atomically if every condition holds, retrying with the same {@code
   * transactionId} while the server is unavailable or contended; a retry that finds the transaction
   * already committed returns its result with {@code duplicate = true}.
   *
   * @throws ConditionFailedException when a condition did not hold (nothing was written)
   * @throws EvidentSourceException.InvalidRequest an invalid event or condition
   * @throws EvidentSourceException.LimitExceeded an event or batch beyond the server's limits
   * @throws EvidentSourceException.Unavailable when every attempt failed
   */
  public TransactionResult transact(
      String database, UUID transactionId, List<Event> events, List<Condition> conditions) {
    var request =
        TransactRequest.newBuilder()
            .setDatabase(database)
            .setTransactionId(transactionId.toString());
    events.forEach(e -> request.addEvents(Wire.cloudEvent(e)));
    conditions.forEach(c -> request.addConditions(Wire.condition(c)));
    var message = request.build();
    for (int attempt = 1; ; attempt++) {
      try {
        return Wire.result(stub().transact(message));
      } catch (StatusRuntimeException e) {
        if (attempt >= maxAttempts || !Wire.retriable(e)) {
          throw Wire.error(e);
        }
        sleep(retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 6)));
      }
    }
  }

  /**
   * The event at one revision.
   *
   * @throws EvidentSourceException.NotFound {@code revision_not_found}, {@code database_not_found}
   */
  public StoredEvent event(String database, long revision) {
    try {
      return Wire.stored(
          stub()
              .getEvent(
                  GetEventRequest.newBuilder().setDatabase(database).setRevision(revision).build())
              .getEvent());
    } catch (StatusRuntimeException e) {
      throw Wire.error(e);
    }
  }

  /**
   * Reads a state view's latest version at the head; see {@link #readStateView(String, String,
   * Integer, Map, Long)}.
   */
  public StateViewState readStateView(String database, String name, Map<String, String> params) {
    return readStateView(database, name, null, params, null);
  }

  /**
   * Reads a state view: the fold of the events its selector matches (with {@code params} filling
   * the selector's {@code {placeholders}}), served from the server's cache when it has one.
   *
   * @param version the view's version, or null for the latest
   * @param params the view's parameters
   * @param revision the revision to read at, or null for the head
   * @throws EvidentSourceException.NotFound {@code state_view_not_found}, {@code
   *     database_not_found}
   * @throws EvidentSourceException.InvalidRequest {@code invalid_query}, e.g. a missing parameter
   */
  public StateViewState readStateView(
      String database,
      String name,
      @Nullable Integer version,
      Map<String, String> params,
      @Nullable Long revision) {
    var request =
        ReadStateViewRequest.newBuilder().setDatabase(database).setName(name).putAllParams(params);
    if (version != null) {
      request.setVersion(version);
    }
    if (revision != null) {
      request.setRevision(revision);
    }
    try {
      var r = stub().readStateView(request.build());
      return new StateViewState(
          r.getDatabase(),
          r.getName(),
          r.getVersion(),
          r.getRevision(),
          r.getLastModifiedRevision(),
          r.hasLastModifiedTime() ? ProtoCloudEvents.instant(r.getLastModifiedTime()) : null,
          r.getContentType(),
          r.getContent().toByteArray());
    } catch (StatusRuntimeException e) {
      throw Wire.error(e);
    }
  }

  /**
   * Executes a JSON command with the latest version of a state change; see {@link
   * #executeCommand(String, String, Integer, UUID, String, byte[])}.
   */
  public CommandResult executeCommand(String database, String name, String jsonBody) {
    return executeCommand(
        database,
        name,
        null,
        UUID.randomUUID(),
        "application/json",
        jsonBody.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Executes a command: the server decides it with the state change's {@code decide} at the head
   * and appends the decided events under the decided conditions as one transaction. While the
   * server is unavailable or contended the client retries with the same {@code transactionId}; a
   * retry that finds the command's transaction committed returns it with {@code duplicate = true}
   * without deciding again, so a lost answer never executes a command twice.
   *
   * @param version the state change's version, or null for the latest
   * @param transactionId the idempotency key of the resulting transaction
   * @param contentType the body's media type, e.g. {@code application/json}
   * @throws EvidentSourceException.CommandRejected the component rejected the command
   * @throws ConditionFailedException a decided condition did not hold: decide again on fresh state
   * @throws EvidentSourceException.NotFound {@code state_change_not_found}, {@code
   *     database_not_found}
   * @throws EvidentSourceException {@code component_failed} (INTERNAL) with the component's error
   * @throws EvidentSourceException.Unavailable when every attempt failed, or {@code
   *     component_timeout}
   */
  public CommandResult executeCommand(
      String database,
      String name,
      @Nullable Integer version,
      UUID transactionId,
      String contentType,
      byte[] body) {
    var request =
        ExecuteCommandRequest.newBuilder()
            .setDatabase(database)
            .setName(name)
            .setContentType(contentType)
            .setBody(com.google.protobuf.ByteString.copyFrom(body))
            .setTransactionId(transactionId.toString());
    if (version != null) {
      request.setVersion(version);
    }
    var message = request.build();
    for (int attempt = 1; ; attempt++) {
      try {
        var r = stub().executeCommand(message);
        var events = new ArrayList<StoredEvent>();
        r.getEventsList().forEach(e -> events.add(Wire.stored(e)));
        return new CommandResult(
            r.getBasisRevision(),
            r.hasTransaction() ? Wire.result(r.getTransaction()) : null,
            events);
      } catch (StatusRuntimeException e) {
        if (attempt >= maxAttempts || !Wire.retriable(e)) {
          throw Wire.error(e);
        }
        sleep(retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 6)));
      }
    }
  }

  /**
   * The events matching a query, fetched lazily one page ({@link Query#pageSize()}) per round trip
   * as the stream is consumed. Every page reads the snapshot of the first, so the stream never
   * shows events committed after it started. Errors surface as {@link EvidentSourceException}s
   * while consuming.
   */
  public Stream<StoredEvent> query(String database, Query query) {
    var pages = new Pages(database, query);
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /**
   * Opens a live subscription: catch-up from {@code fromRevision} (inclusive; null for only new
   * commits), then every new matching event, exactly once and in order.
   */
  public Subscription subscribe(
      String database,
      Selector selector,
      @Nullable Long fromRevision,
      SubscriptionListener listener) {
    var request =
        SubscribeEventsRequest.newBuilder()
            .setDatabase(database)
            .setSelector(Wire.selector(selector));
    if (fromRevision != null) {
      request.setFromRevision(fromRevision);
    }
    var context = Context.current().withCancellation();
    context.run(
        () ->
            async.subscribeEvents(
                request.build(),
                new StreamObserver<SubscribeEventsResponse>() {
                  @Override
                  public void onNext(SubscribeEventsResponse value) {
                    if (value.hasEvent()) {
                      listener.onEvent(Wire.stored(value.getEvent()));
                    } else if (value.hasHeartbeat()) {
                      listener.onHeartbeat(value.getHeartbeat().getRevision());
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    listener.onError(Wire.error(t));
                  }

                  @Override
                  public void onCompleted() {
                    listener.onError(
                        Wire.error(
                            Status.UNAVAILABLE
                                .withDescription("the server ended the subscription")
                                .asRuntimeException()));
                  }
                }));
    return new Subscription(context);
  }

  /** Closes the channel (when the client created it). */
  @Override
  public void close() {
    var owned = ownedChannel;
    if (owned != null) {
      owned.shutdown();
      try {
        if (!owned.awaitTermination(5, TimeUnit.SECONDS)) {
          owned.shutdownNow();
        }
      } catch (InterruptedException e) {
        owned.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Wire.error(
          Status.CANCELLED.withDescription("interrupted while retrying").asRuntimeException());
    }
  }

  /** Pages of a query, fetched when the previous one is used up. */
  private final class Pages implements Iterator<StoredEvent> {
    private final String database;
    private final Query query;
    private final ArrayDeque<StoredEvent> buffer = new ArrayDeque<>();
    private @Nullable String token = "";

    Pages(String database, Query query) {
      this.database = database;
      this.query = query;
    }

    @Override
    public boolean hasNext() {
      while (buffer.isEmpty() && token != null) {
        fetch();
      }
      return !buffer.isEmpty();
    }

    @Override
    public StoredEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return buffer.removeFirst();
    }

    private void fetch() {
      var r =
          QueryEventsRequest.newBuilder()
              .setDatabase(database)
              .setSelector(Wire.selector(query.selector()))
              .setFromRevision(query.fromRevision())
              .setLimit(query.pageSize())
              .setDirection(
                  switch (query.direction()) {
                    case FORWARD -> io.evidentsource.api.v1.Direction.DIRECTION_FORWARD;
                    case BACKWARD -> io.evidentsource.api.v1.Direction.DIRECTION_BACKWARD;
                  })
              .setOrder(
                  switch (query.order()) {
                    case REVISION -> io.evidentsource.api.v1.Order.ORDER_REVISION;
                    case EFFECTIVE_TIME -> io.evidentsource.api.v1.Order.ORDER_EFFECTIVE_TIME;
                  });
      if (token == null || token.isEmpty()) {
        // the first page names the snapshot; later pages carry the token that pinned it
        query
            .snapshot()
            .match(
                head -> r,
                atRevision -> r.setRevision(atRevision.revision()),
                asOf -> r.setAsOfTransactionTime(ProtoCloudEvents.timestamp(asOf.time())));
      } else {
        r.setPageToken(token);
      }
      if (query.toRevision() != null) {
        r.setToRevision(query.toRevision());
      }
      if (query.asOfEffectiveTime() != null) {
        r.setAsOfEffectiveTime(ProtoCloudEvents.timestamp(query.asOfEffectiveTime()));
      }
      String next = null;
      try {
        Iterator<QueryEventsResponse> responses = stub().queryEvents(r.build());
        while (responses.hasNext()) {
          var response = responses.next();
          if (response.hasEvent()) {
            buffer.add(Wire.stored(response.getEvent()));
          } else if (response.hasEnd()) {
            String t = response.getEnd().getNextPageToken();
            next = t.isEmpty() ? null : t;
          }
        }
      } catch (StatusRuntimeException e) {
        token = null;
        throw Wire.error(e);
      }
      token = next;
    }
  }

  /** Settings of a client. */
  public static final class Builder {
    private @Nullable String host;
    private int port = 9090;
    private boolean tls;
    private @Nullable String apiKey;
    private Duration deadline = Duration.ofSeconds(30);
    private int maxAttempts = 4;
    private Duration retryBackoff = Duration.ofMillis(100);
    private int maxInboundMessageBytes = 8 * 1024 * 1024;
    private @Nullable Channel channel;

    /** The server's gRPC address (default port 9090). */
    public Builder address(String host, int port) {
      this.host = host;
      this.port = port;
      return this;
    }

    /** Whether to use TLS (default false: plaintext, for loopback and trusted networks). */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** An API key sent as the {@code x-api-key} header on every call, or null for none. */
    public Builder apiKey(@Nullable String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The deadline of each unary call and each query page (default 30 s). */
    public Builder deadline(Duration deadline) {
      this.deadline = Objects.requireNonNull(deadline, "deadline");
      return this;
    }

    /** Attempts per transaction on transient failures (default 4, at least 1). */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, was " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** The first pause before a retry, doubled each time (default 100 ms). */
    public Builder retryBackoff(Duration backoff) {
      this.retryBackoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * A channel the caller owns (for example with custom TLS or interceptors); {@link
     * EvidentSourceClient#close()} leaves it open.
     */
    public Builder channel(Channel channel) {
      this.channel = channel;
      return this;
    }

    public EvidentSourceClient build() {
      return new EvidentSourceClient(this);
    }
  }
}
