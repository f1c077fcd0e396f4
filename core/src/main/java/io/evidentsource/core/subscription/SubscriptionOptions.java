package io.evidentsource.core.subscription;

import java.time.Duration;
import java.util.Objects;

/**
 * How live subscriptions behave.
 *
 * @param bufferSize most items buffered for one consumer, ≥ 1
 * @param maxStall how long the buffer may stay full before the consumer is cut off with {@code
 *     SLOW_CONSUMER}; positive
 * @param heartbeatInterval how long without a matching event before a heartbeat; positive
 */
public record SubscriptionOptions(int bufferSize, Duration maxStall, Duration heartbeatInterval) {
  public SubscriptionOptions {
    Objects.requireNonNull(maxStall, "maxStall");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    if (bufferSize < 1) {
      throw new IllegalArgumentException("bufferSize must be >= 1, was " + bufferSize);
    }
    if (maxStall.isNegative() || maxStall.isZero()) {
      throw new IllegalArgumentException("maxStall must be positive, was " + maxStall);
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException(
          "heartbeatInterval must be positive, was " + heartbeatInterval);
    }
  }

  /** 1,024 items, cut off after 10 s full, heartbeat every 15 s. */
  public static SubscriptionOptions defaults() {
    return new SubscriptionOptions(1024, Duration.ofSeconds(10), Duration.ofSeconds(15));
  }
}
