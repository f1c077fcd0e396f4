package io.evidentsource.core.subscription;

import java.time.Duration;
import java.util.Objects;

/**
 * How live subscriptions behave.
 *
 * @param bufferSize most items buffered for one consumer, ≥ 1
 * @param maxStall how long the buffer may stay full, the consumer taking nothing, before the
 *     consumer is cut off with {@code SLOW_CONSUMER}; positive
 * @param heartbeatInterval how long without a matching event before a heartbeat; positive
 * @param maxOpen most subscriptions open at once on this server, ≥ 1; more are refused with {@code
 *     TOO_MANY_SUBSCRIPTIONS}
 * @param maxOpenPerDatabase most subscriptions open at once on one database, ≥ 1; more are refused
 *     with {@code TOO_MANY_SUBSCRIPTIONS}
 */
public record SubscriptionOptions(
    int bufferSize,
    Duration maxStall,
    Duration heartbeatInterval,
    int maxOpen,
    int maxOpenPerDatabase) {

  /** The server property of {@link #maxOpen}, named in {@code TOO_MANY_SUBSCRIPTIONS} errors. */
  public static final String MAX_OPEN_PROPERTY = "evidentsource.subscriptions.max-open";

  /** The server property of {@link #maxOpenPerDatabase}, named in errors like the one above. */
  public static final String MAX_OPEN_PER_DATABASE_PROPERTY =
      "evidentsource.subscriptions.max-open-per-database";

  /** The default of {@link #maxOpen}. */
  public static final int DEFAULT_MAX_OPEN = 10_000;

  /** The default of {@link #maxOpenPerDatabase}. */
  public static final int DEFAULT_MAX_OPEN_PER_DATABASE = 1_000;

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
    if (maxOpen < 1) {
      throw new IllegalArgumentException("maxOpen must be >= 1, was " + maxOpen);
    }
    if (maxOpenPerDatabase < 1) {
      throw new IllegalArgumentException(
          "maxOpenPerDatabase must be >= 1, was " + maxOpenPerDatabase);
    }
  }

  /** These buffer, stall and heartbeat settings with the default limits on open subscriptions. */
  public SubscriptionOptions(int bufferSize, Duration maxStall, Duration heartbeatInterval) {
    this(bufferSize, maxStall, heartbeatInterval, DEFAULT_MAX_OPEN, DEFAULT_MAX_OPEN_PER_DATABASE);
  }

  /**
   * 1,024 items, cut off after 10 s full, heartbeat every 15 s, 10,000 open subscriptions per
   * server and 1,000 per database.
   */
  public static SubscriptionOptions defaults() {
    return new SubscriptionOptions(1024, Duration.ofSeconds(10), Duration.ofSeconds(15));
  }
}
