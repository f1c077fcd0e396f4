package io.evidentsource.server.grpc;

import static io.evidentsource.core.component.ComponentKind.STATE_CHANGE;
import static io.evidentsource.core.component.ComponentKind.STATE_VIEW;

import io.evidentsource.api.v1.CreateDatabaseRequest;
import io.evidentsource.api.v1.CreateDatabaseResponse;
import io.evidentsource.api.v1.DeleteDatabaseRequest;
import io.evidentsource.api.v1.DeleteDatabaseResponse;
import io.evidentsource.api.v1.DescribeStateChangeRequest;
import io.evidentsource.api.v1.DescribeStateChangeResponse;
import io.evidentsource.api.v1.DescribeStateViewRequest;
import io.evidentsource.api.v1.DescribeStateViewResponse;
import io.evidentsource.api.v1.DryRunCommandResponse;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.ExecuteCommandRequest;
import io.evidentsource.api.v1.ExecuteCommandResponse;
import io.evidentsource.api.v1.GetDatabaseRequest;
import io.evidentsource.api.v1.GetDatabaseResponse;
import io.evidentsource.api.v1.GetEventRequest;
import io.evidentsource.api.v1.GetEventResponse;
import io.evidentsource.api.v1.GetTransactionRequest;
import io.evidentsource.api.v1.GetTransactionResponse;
import io.evidentsource.api.v1.Heartbeat;
import io.evidentsource.api.v1.ListDatabasesRequest;
import io.evidentsource.api.v1.ListDatabasesResponse;
import io.evidentsource.api.v1.ListStateChangesRequest;
import io.evidentsource.api.v1.ListStateChangesResponse;
import io.evidentsource.api.v1.ListStateViewsRequest;
import io.evidentsource.api.v1.ListStateViewsResponse;
import io.evidentsource.api.v1.PublishStateChangeRequest;
import io.evidentsource.api.v1.PublishStateChangeResponse;
import io.evidentsource.api.v1.PublishStateViewRequest;
import io.evidentsource.api.v1.PublishStateViewResponse;
import io.evidentsource.api.v1.QueryEnd;
import io.evidentsource.api.v1.QueryEventsRequest;
import io.evidentsource.api.v1.QueryEventsResponse;
import io.evidentsource.api.v1.ReadStateViewRequest;
import io.evidentsource.api.v1.ReadStateViewResponse;
import io.evidentsource.api.v1.SubscribeEventsRequest;
import io.evidentsource.api.v1.SubscribeEventsResponse;
import io.evidentsource.api.v1.TransactRequest;
import io.evidentsource.api.v1.TransactResponse;
import io.evidentsource.core.EventStore;
import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.Provenance;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.server.config.QueryBudgets;
import io.evidentsource.server.config.WasmProperties;
import io.evidentsource.server.live.LiveTail;
import io.evidentsource.server.live.LiveTails;
import io.evidentsource.server.request.BodyLimits;
import io.evidentsource.server.request.ComponentRequests;
import io.evidentsource.server.request.RequestAdmission;
import io.evidentsource.server.security.RequestOrigins;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@code evidentsource.v1.EvidentSource} gRPC service over the same {@link EventStore} as the
 * REST API. Unary calls run on gRPC's executor; a subscription's reader and sender each use a
 * thread of the subscription executor while the stream is open. Every failure goes through {@link
 * GrpcErrors}.
 */
final class EvidentSourceGrpcService extends EvidentSourceGrpc.EvidentSourceImplBase {
  private final EventStore store;
  private final SubscriptionEngine subscriptions;
  private final LiveTails tails;
  private final ComponentCatalog catalog;
  private final StateViews views;
  private final StateChanges changes;
  private final WasmProperties wasm;

  private final QueryBudgets queryBudgets;
  private final SelectorLimits selectorLimits;
  private final RequestAdmission admission;

  EvidentSourceGrpcService(
      EventStore store,
      SubscriptionEngine subscriptions,
      LiveTails tails,
      ComponentCatalog catalog,
      StateViews views,
      StateChanges changes,
      WasmProperties wasm,
      QueryBudgets queryBudgets,
      SelectorLimits selectorLimits,
      RequestAdmission admission) {
    this.admission = admission;
    this.queryBudgets = queryBudgets;
    this.selectorLimits = selectorLimits;
    this.store = store;
    this.subscriptions = subscriptions;
    this.tails = tails;
    this.catalog = catalog;
    this.views = views;
    this.changes = changes;
    this.wasm = wasm;
  }

  @Override
  public void createDatabase(
      CreateDatabaseRequest request, StreamObserver<CreateDatabaseResponse> response) {
    unary(
        null,
        response,
        () ->
            CreateDatabaseResponse.newBuilder()
                .setDatabase(
                    CatalogMapping.database(
                        store.createDatabase(DatabaseName.of(request.getName()))))
                .build());
  }

  @Override
  public void deleteDatabase(
      DeleteDatabaseRequest request, StreamObserver<DeleteDatabaseResponse> response) {
    unary(
        request.getName(),
        response,
        () -> {
          var name = DatabaseName.of(request.getName());
          String key = request.getIdempotencyKey();
          if (store.deleteDatabase(name, key.isEmpty() ? null : key)) {
            catalog.forget(name);
          }
          return DeleteDatabaseResponse.getDefaultInstance();
        });
  }

  @Override
  public void listDatabases(
      ListDatabasesRequest request, StreamObserver<ListDatabasesResponse> response) {
    unary(
        null,
        response,
        () -> {
          var b = ListDatabasesResponse.newBuilder();
          var caller = GrpcAccess.CALLER.get();
          store.listDatabases().stream()
              .filter(info -> caller.canRead(info.name().value()))
              .forEach(info -> b.addDatabases(CatalogMapping.database(info)));
          return b.build();
        });
  }

  @Override
  public void getDatabase(
      GetDatabaseRequest request, StreamObserver<GetDatabaseResponse> response) {
    unary(
        request.getName(),
        response,
        () ->
            GetDatabaseResponse.newBuilder()
                .setDatabase(
                    CatalogMapping.database(store.database(DatabaseName.of(request.getName()))))
                .build());
  }

  @Override
  public void transact(TransactRequest request, StreamObserver<TransactResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () ->
            EventMapping.transactResponse(
                store.transact(
                    DatabaseName.of(request.getDatabase()),
                    EventMapping.transaction(request, selectorLimits)
                        .withOrigin(GrpcAccess.ORIGIN.get()))));
  }

  @Override
  public void getTransaction(
      GetTransactionRequest request, StreamObserver<GetTransactionResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          UUID id;
          try {
            id = UUID.fromString(request.getTransactionId());
          } catch (IllegalArgumentException e) {
            throw new EvidentSourceException(
                ErrorCode.INVALID_QUERY,
                "transaction_id must be a UUID, was '" + request.getTransactionId() + "'",
                Map.of("parameter", "transaction_id"));
          }
          return GetTransactionResponse.newBuilder()
              .setTransaction(
                  EventMapping.transactionAudit(
                      store.transaction(DatabaseName.of(request.getDatabase()), id)))
              .build();
        });
  }

  @Override
  public void getEvent(GetEventRequest request, StreamObserver<GetEventResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          if (request.getRevision() < 1) {
            throw new EvidentSourceException(
                ErrorCode.INVALID_QUERY,
                "revision must be >= 1, was " + Long.toUnsignedString(request.getRevision()),
                Map.of("parameter", "revision"));
          }
          return GetEventResponse.newBuilder()
              .setEvent(
                  EventMapping.storedEvent(
                      store.event(DatabaseName.of(request.getDatabase()), request.getRevision())))
              .build();
        });
  }

  // ---------------------------------------------------- state views and state changes (REST twin:
  // rest.ComponentController; the shared request rules are in request.ComponentRequests)

  @Override
  public void publishStateView(
      PublishStateViewRequest request, StreamObserver<PublishStateViewResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          if (!request.hasEventSelector() && request.getEventSelectorText().isEmpty()) {
            throw ComponentRequests.malformed(
                "the request needs 'event_selector' or 'event_selector_text'", "event_selector");
          }
          var definition =
              ComponentRequests.viewDefinition(
                  required(request.getStateViewName(), "state_view_name"),
                  optional(request.getDescription()),
                  required(request.getContentType(), "content_type"),
                  optional(request.getContentSchema()),
                  SelectorMapping.selector(
                      request.hasEventSelector(),
                      request.getEventSelector(),
                      request.getEventSelectorText(),
                      selectorLimits),
                  ComponentMapping.temporality(request));
          var published =
              catalog.publish(
                  DatabaseName.of(request.getDatabase()),
                  STATE_VIEW,
                  definition,
                  request.getWasm().toByteArray());
          return PublishStateViewResponse.newBuilder()
              .setStateView(ComponentMapping.stateView(published))
              .build();
        });
  }

  @Override
  public void listStateViews(
      ListStateViewsRequest request, StreamObserver<ListStateViewsResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          var b = ListStateViewsResponse.newBuilder();
          catalog
              .list(DatabaseName.of(request.getDatabase()), STATE_VIEW)
              .forEach(v -> b.addStateViews(ComponentMapping.stateView(v)));
          return b.build();
        });
  }

  @Override
  public void describeStateView(
      DescribeStateViewRequest request, StreamObserver<DescribeStateViewResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          var b = DescribeStateViewResponse.newBuilder();
          catalog
              .versions(DatabaseName.of(request.getDatabase()), STATE_VIEW, request.getName())
              .forEach(v -> b.addVersions(ComponentMapping.stateView(v)));
          return b.build();
        });
  }

  @Override
  public void readStateView(
      ReadStateViewRequest request, StreamObserver<ReadStateViewResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () ->
            ComponentMapping.readStateViewResponse(
                views.read(
                    DatabaseName.of(request.getDatabase()),
                    request.getName(),
                    request.hasVersion() ? version(request.getVersion()) : null,
                    ComponentMapping.stateViewRead(request))));
  }

  @Override
  public void publishStateChange(
      PublishStateChangeRequest request, StreamObserver<PublishStateChangeResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          var definition =
              new StateChangeDefinition(
                  required(request.getStateChangeName(), "state_change_name"),
                  optional(request.getDescription()));
          var published =
              catalog.publish(
                  DatabaseName.of(request.getDatabase()),
                  STATE_CHANGE,
                  definition,
                  request.getWasm().toByteArray());
          return PublishStateChangeResponse.newBuilder()
              .setStateChange(ComponentMapping.stateChange(published))
              .build();
        });
  }

  @Override
  public void listStateChanges(
      ListStateChangesRequest request, StreamObserver<ListStateChangesResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          var b = ListStateChangesResponse.newBuilder();
          catalog
              .list(DatabaseName.of(request.getDatabase()), STATE_CHANGE)
              .forEach(c -> b.addStateChanges(ComponentMapping.stateChange(c)));
          return b.build();
        });
  }

  @Override
  public void describeStateChange(
      DescribeStateChangeRequest request, StreamObserver<DescribeStateChangeResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          var b = DescribeStateChangeResponse.newBuilder();
          catalog
              .versions(DatabaseName.of(request.getDatabase()), STATE_CHANGE, request.getName())
              .forEach(c -> b.addVersions(ComponentMapping.stateChange(c)));
          return b.build();
        });
  }

  @Override
  public void executeCommand(
      ExecuteCommandRequest request, StreamObserver<ExecuteCommandResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          var command = command(request);
          return ComponentMapping.executeCommandResponse(
              changes.execute(
                  DatabaseName.of(request.getDatabase()),
                  request.getName(),
                  request.hasVersion() ? version(request.getVersion()) : null,
                  command,
                  provenance(request)));
        });
  }

  @Override
  public void dryRunCommand(
      ExecuteCommandRequest request, StreamObserver<DryRunCommandResponse> response) {
    unary(
        request.getDatabase(),
        response,
        () -> {
          var command = command(request);
          return ComponentMapping.dryRunCommandResponse(
              changes.dryRun(
                  DatabaseName.of(request.getDatabase()),
                  request.getName(),
                  request.hasVersion() ? version(request.getVersion()) : null,
                  command,
                  provenance(request)));
        });
  }

  private Command command(ExecuteCommandRequest request) {
    var body = request.getBody().toByteArray();
    long limit = wasm.maxOutputBytes().toBytes();
    if (body.length > limit) {
      throw BodyLimits.tooLarge(limit, "evidentsource.wasm.max-output-bytes", (long) body.length);
    }
    var contentType =
        request.getContentType().isEmpty() ? "application/json" : request.getContentType();
    ComponentRequests.checkCommandBody(contentType, body);
    return new Command(
        contentType, ComponentRequests.commandHeaders(request.getHeadersMap()), body);
  }

  private static Provenance provenance(ExecuteCommandRequest request) {
    return new Provenance(
        RequestOrigins.principal(GrpcAccess.CALLER.get()),
        "grpc",
        optional(request.getCorrelationId()),
        optional(request.getCausationId()),
        ComponentRequests.transactionId(
            request.getTransactionId(), "transaction_id", "'transaction_id'"),
        GrpcAccess.ORIGIN.get());
  }

  private static Integer version(int version) {
    if (version < 1) {
      throw ComponentRequests.malformed(
          "the version must be a whole number >= 1, was " + Integer.toUnsignedString(version),
          "version");
    }
    return version;
  }

  private static String required(String value, String field) {
    if (value.isEmpty()) {
      throw ComponentRequests.malformed("the request needs '" + field + "'", field);
    }
    return value;
  }

  private static @Nullable String optional(String value) {
    return value.isEmpty() ? null : value;
  }

  /** One page, streamed event by event; a cancelled call stops sending at once. */
  @Override
  public void queryEvents(
      QueryEventsRequest request, StreamObserver<QueryEventsResponse> response) {
    var call = (ServerCallStreamObserver<QueryEventsResponse>) response;
    try {
      var permit = admit(request.getDatabase());
      try {
        // the query stops when the client cancels or its deadline passes
        var page =
            store.query(
                DatabaseName.of(request.getDatabase()),
                QueryMapping.query(request, selectorLimits),
                queryBudgets.forCall(call::isCancelled));
        for (var event : page.events()) {
          if (call.isCancelled()) {
            return;
          }
          call.onNext(
              QueryEventsResponse.newBuilder().setEvent(EventMapping.storedEvent(event)).build());
        }
        var end = QueryEnd.newBuilder().setRevision(page.revision());
        if (page.nextPageToken() != null) {
          end.setNextPageToken(page.nextPageToken());
        }
        call.onNext(QueryEventsResponse.newBuilder().setEnd(end).build());
        call.onCompleted();
      } finally {
        permit.close();
      }
    } catch (RuntimeException e) {
      if (!call.isCancelled()) {
        call.onError(GrpcErrors.toStatus(e));
      }
    }
  }

  /**
   * Opens a live subscription and hands it to the shared live-tail dispatcher (no thread of its
   * own), which writes only while the client's transport is ready; a client that stops reading
   * fills the subscription's bounded buffer and is cut off with {@code RESOURCE_EXHAUSTED} / {@code
   * slow_consumer}. Cancellation and deadlines close the subscription, which stops reading storage.
   */
  @Override
  public void subscribeEvents(
      SubscribeEventsRequest request, StreamObserver<SubscribeEventsResponse> response) {
    var call = (ServerCallStreamObserver<SubscribeEventsResponse>) response;
    Subscription subscription;
    try {
      subscription =
          subscriptions.subscribe(
              DatabaseName.of(request.getDatabase()),
              SelectorMapping.selector(
                  request.hasSelector(),
                  request.getSelector(),
                  request.getSelectorText(),
                  selectorLimits),
              request.hasFromRevision() ? request.getFromRevision() : null);
    } catch (RuntimeException e) {
      call.onError(GrpcErrors.toStatus(e));
      return;
    }
    var tail = tails.open(subscription, new GrpcSink(call));
    call.setOnReadyHandler(tail::drain);
    call.setOnCancelHandler(tail::close);
  }

  /** A gRPC server stream: flow-controlled messages, errors as status. */
  private static final class GrpcSink implements LiveTail.Sink {
    private final ServerCallStreamObserver<SubscribeEventsResponse> call;

    GrpcSink(ServerCallStreamObserver<SubscribeEventsResponse> call) {
      this.call = call;
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void event(StoredEvent event) {
      call.onNext(
          SubscribeEventsResponse.newBuilder().setEvent(EventMapping.storedEvent(event)).build());
    }

    @Override
    public void heartbeat(long revision) {
      call.onNext(
          SubscribeEventsResponse.newBuilder()
              .setHeartbeat(Heartbeat.newBuilder().setRevision(revision))
              .build());
    }

    @Override
    public void ended(EvidentSourceException reason) {
      call.onError(GrpcErrors.toStatus(reason));
    }

    @Override
    public void shuttingDown() {
      if (!call.isCancelled()) {
        call.onError(
            io.grpc.Status.UNAVAILABLE
                .withDescription("the server is shutting down; resume after the last revision")
                .asRuntimeException());
      }
    }

    @Override
    public void failed(Exception failure) {
      if (!call.isCancelled()) {
        call.onError(GrpcErrors.toStatus(failure));
      }
    }
  }

  /**
   * Runs a unary call with a place of its database and its caller's key (fair admission,
   * docs/limits.md#requests-in-flight) and answers its result or its error.
   *
   * @param database the database the request names, or null for calls that name none
   */
  private <T> void unary(
      @Nullable String database, StreamObserver<T> response, Supplier<T> action) {
    T result;
    try {
      var permit = admit(database);
      try {
        result = action.get();
      } finally {
        permit.close();
      }
    } catch (RuntimeException e) {
      response.onError(GrpcErrors.toStatus(e));
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  private RequestAdmission.Permit admit(@Nullable String database) {
    return admission.admit(
        database == null || database.isEmpty() ? null : database,
        GrpcAccess.CALLER.get().keyName());
  }
}
