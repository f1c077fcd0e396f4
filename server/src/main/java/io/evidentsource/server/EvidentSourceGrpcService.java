package io.evidentsource.server;

import io.evidentsource.api.v1.CreateDatabaseRequest;
import io.evidentsource.api.v1.CreateDatabaseResponse;
import io.evidentsource.api.v1.DeleteDatabaseRequest;
import io.evidentsource.api.v1.DeleteDatabaseResponse;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.GetDatabaseRequest;
import io.evidentsource.api.v1.GetDatabaseResponse;
import io.evidentsource.api.v1.GetEventRequest;
import io.evidentsource.api.v1.GetEventResponse;
import io.evidentsource.api.v1.Heartbeat;
import io.evidentsource.api.v1.ListDatabasesRequest;
import io.evidentsource.api.v1.ListDatabasesResponse;
import io.evidentsource.api.v1.QueryEnd;
import io.evidentsource.api.v1.QueryEventsRequest;
import io.evidentsource.api.v1.QueryEventsResponse;
import io.evidentsource.api.v1.SubscribeEventsRequest;
import io.evidentsource.api.v1.SubscribeEventsResponse;
import io.evidentsource.api.v1.TransactRequest;
import io.evidentsource.api.v1.TransactResponse;
import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.core.subscription.SubscriptionItem;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The {@code evidentsource.v1.EvidentSource} gRPC service over the same {@link EventStore} as the
 * REST API. Unary calls run on gRPC's executor; a subscription's reader and sender each use a
 * thread of the subscription executor while the stream is open. Every failure goes through
 * {@link GrpcErrors}.
 */
final class EvidentSourceGrpcService extends EvidentSourceGrpc.EvidentSourceImplBase {
  private static final Duration POLL = Duration.ofMillis(200);

  private final EventStore store;
  private final SubscriptionEngine subscriptions;
  private final Executor senders;

  EvidentSourceGrpcService(EventStore store, SubscriptionEngine subscriptions, Executor senders) {
    this.store = store;
    this.subscriptions = subscriptions;
    this.senders = senders;
  }

  @Override
  public void createDatabase(
      CreateDatabaseRequest request, StreamObserver<CreateDatabaseResponse> response) {
    unary(
        response,
        () ->
            CreateDatabaseResponse.newBuilder()
                .setDatabase(
                    ProtoMapping.database(store.createDatabase(DatabaseName.of(request.getName()))))
                .build());
  }

  @Override
  public void deleteDatabase(
      DeleteDatabaseRequest request, StreamObserver<DeleteDatabaseResponse> response) {
    unary(
        response,
        () -> {
          store.deleteDatabase(DatabaseName.of(request.getName()));
          return DeleteDatabaseResponse.getDefaultInstance();
        });
  }

  @Override
  public void listDatabases(
      ListDatabasesRequest request, StreamObserver<ListDatabasesResponse> response) {
    unary(
        response,
        () -> {
          var b = ListDatabasesResponse.newBuilder();
          store.listDatabases().forEach(info -> b.addDatabases(ProtoMapping.database(info)));
          return b.build();
        });
  }

  @Override
  public void getDatabase(GetDatabaseRequest request, StreamObserver<GetDatabaseResponse> response) {
    unary(
        response,
        () ->
            GetDatabaseResponse.newBuilder()
                .setDatabase(ProtoMapping.database(store.database(DatabaseName.of(request.getName()))))
                .build());
  }

  @Override
  public void transact(TransactRequest request, StreamObserver<TransactResponse> response) {
    unary(
        response,
        () ->
            ProtoMapping.transactResponse(
                store.transact(
                    DatabaseName.of(request.getDatabase()), ProtoMapping.transaction(request))));
  }

  @Override
  public void getEvent(GetEventRequest request, StreamObserver<GetEventResponse> response) {
    unary(
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
                  ProtoMapping.storedEvent(
                      store.event(DatabaseName.of(request.getDatabase()), request.getRevision())))
              .build();
        });
  }

  /** One page, streamed event by event; a cancelled call stops sending at once. */
  @Override
  public void queryEvents(
      QueryEventsRequest request, StreamObserver<QueryEventsResponse> response) {
    var call = (ServerCallStreamObserver<QueryEventsResponse>) response;
    try {
      var page = store.query(DatabaseName.of(request.getDatabase()), ProtoMapping.query(request));
      for (var event : page.events()) {
        if (call.isCancelled()) {
          return;
        }
        call.onNext(QueryEventsResponse.newBuilder().setEvent(ProtoMapping.storedEvent(event)).build());
      }
      var end = QueryEnd.newBuilder().setRevision(page.revision());
      if (page.nextPageToken() != null) {
        end.setNextPageToken(page.nextPageToken());
      }
      call.onNext(QueryEventsResponse.newBuilder().setEnd(end).build());
      call.onCompleted();
    } catch (RuntimeException e) {
      if (!call.isCancelled()) {
        call.onError(GrpcErrors.toStatus(e));
      }
    }
  }

  /**
   * Opens a live subscription and hands it to a sender thread, which writes only while the
   * client's transport is ready; a client that stops reading fills the subscription's bounded
   * buffer and is cut off with {@code RESOURCE_EXHAUSTED} / {@code slow_consumer}. Cancellation
   * and deadlines close the subscription, which stops reading storage.
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
              ProtoMapping.selector(
                  request.hasSelector(), request.getSelector(), request.getSelectorText()),
              request.hasFromRevision() ? request.getFromRevision() : null);
    } catch (RuntimeException e) {
      call.onError(GrpcErrors.toStatus(e));
      return;
    }
    var signal = new Object();
    call.setOnReadyHandler(
        () -> {
          synchronized (signal) {
            signal.notifyAll();
          }
        });
    call.setOnCancelHandler(
        () -> {
          subscription.close();
          synchronized (signal) {
            signal.notifyAll();
          }
        });
    senders.execute(() -> send(subscription, call, signal));
  }

  private static void send(
      Subscription subscription,
      ServerCallStreamObserver<SubscribeEventsResponse> call,
      Object signal) {
    try (subscription) {
      while (!call.isCancelled()) {
        while (!call.isReady()) {
          if (call.isCancelled()) {
            return;
          }
          var reason = subscription.endReason();
          if (reason != null) {
            call.onError(GrpcErrors.toStatus(reason));
            return;
          }
          synchronized (signal) {
            signal.wait(POLL.toMillis());
          }
        }
        var item = subscription.poll(POLL);
        if (item instanceof SubscriptionItem.Delivered) {
          call.onNext(
              SubscribeEventsResponse.newBuilder()
                  .setEvent(ProtoMapping.storedEvent(((SubscriptionItem.Delivered) item).event()))
                  .build());
        } else if (item instanceof SubscriptionItem.Heartbeat) {
          call.onNext(
              SubscribeEventsResponse.newBuilder()
                  .setHeartbeat(
                      Heartbeat.newBuilder()
                          .setRevision(((SubscriptionItem.Heartbeat) item).revision()))
                  .build());
        } else if (item instanceof SubscriptionItem.Ended) {
          call.onError(GrpcErrors.toStatus(((SubscriptionItem.Ended) item).error()));
          return;
        }
      }
    } catch (InterruptedException e) {
      // the server is shutting down: end the stream so graceful shutdown need not wait for it
      Thread.currentThread().interrupt();
      if (!call.isCancelled()) {
        call.onError(
            io.grpc.Status.UNAVAILABLE
                .withDescription("the server is shutting down; resume after the last revision")
                .asRuntimeException());
      }
    } catch (RuntimeException e) {
      if (!call.isCancelled()) {
        call.onError(GrpcErrors.toStatus(e));
      }
    }
  }

  private static <T> void unary(StreamObserver<T> response, Supplier<T> action) {
    T result;
    try {
      result = action.get();
    } catch (RuntimeException e) {
      response.onError(GrpcErrors.toStatus(e));
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }
}
