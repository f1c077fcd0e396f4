package io.evidentsource.client;

/**
 * Receives a live subscription's events, one call at a time and in revision order, on a gRPC
 * thread; keep the callbacks short (the server cuts off a subscriber that stops reading).
 */
public interface SubscriptionListener {

  /** The next matching event. */
  void onEvent(StoredEvent event);

  /** No matching event for a while; every revision up to {@code revision} was examined. */
  default void onHeartbeat(long revision) {}

  /**
   * The subscription ended: closed by {@link Subscription#close()} (a {@link
   * EvidentSourceException} with code {@code cancelled}), the database was deleted, the subscriber
   * was too slow ({@code slow_consumer}), or the connection failed. Resume with {@code
   * fromRevision} = last revision received + 1.
   */
  default void onError(EvidentSourceException error) {}
}
