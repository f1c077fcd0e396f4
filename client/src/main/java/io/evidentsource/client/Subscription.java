package io.evidentsource.client;

import io.grpc.Context;

/** An open live subscription; {@link #close()} cancels it on the server. */
public final class Subscription implements AutoCloseable {
  private final Context.CancellableContext context;

  Subscription(Context.CancellableContext context) {
    this.context = context;
  }

  /** Cancels the subscription; the listener receives no more events. */
  @Override
  public void close() {
    context.cancel(null);
  }
}
