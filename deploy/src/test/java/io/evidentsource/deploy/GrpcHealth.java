package io.evidentsource.deploy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The call an ALB makes to health-check a gRPC target group: {@code /grpc.health.v1.Health/Check}
 * with an empty service name (the server as a whole).
 */
final class GrpcHealth {
  private GrpcHealth() {}

  /**
   * Asks until the server reports SERVING, up to {@code limit}; returns the last status seen
   * (SERVING, or what it was when the limit passed).
   */
  static ServingStatus awaitServing(String host, int port, Duration limit) {
    ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      long deadline = System.nanoTime() + limit.toNanos();
      ServingStatus status = ServingStatus.UNKNOWN;
      while (System.nanoTime() < deadline) {
        try {
          status =
              HealthGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .check(HealthCheckRequest.getDefaultInstance())
                  .getStatus();
          if (status == ServingStatus.SERVING) {
            return status;
          }
        } catch (StatusRuntimeException e) {
          // not listening yet
        }
        ServerProcess.sleep(Duration.ofMillis(500));
      }
      return status;
    } finally {
      channel.shutdownNow();
    }
  }
}
