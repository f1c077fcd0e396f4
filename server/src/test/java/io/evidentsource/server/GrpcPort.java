package io.evidentsource.server;

import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/** Records the random port the gRPC server of a {@link ServerTest} context listens on. */
public class GrpcPort {
  private volatile int port;

  @EventListener
  void started(GrpcServerStartedEvent event) {
    port = event.getPort();
  }

  public int port() {
    if (port == 0) {
      throw new IllegalStateException("the gRPC server has not reported GrpcServerStartedEvent");
    }
    return port;
  }
}
