package io.evidentsource.server.config;

import io.evidentsource.core.subscription.SubscriptionOptions;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Live subscriptions (SSE {@code GET .../events/live} and gRPC {@code SubscribeEvents}), bound from
 * {@code evidentsource.subscriptions.*}.
 *
 * @param bufferSize most events and heartbeats buffered for one subscriber that has not read them
 *     yet; memory per subscriber is bounded by this times the event size limit
 * @param maxStall how long a subscriber's buffer may stay full, the subscriber reading nothing,
 *     before the subscription is ended with {@code slow_consumer} (the subscriber resumes after the
 *     last revision it received)
 * @param heartbeatInterval how long without a matching event before a heartbeat (an SSE comment
 *     line, a gRPC {@code Heartbeat} message) tells the subscriber the stream is alive
 * @param maxOpen most live tails (SSE and gRPC together) open at once on this server; more are
 *     refused with 429 {@code too_many_subscriptions} / RESOURCE_EXHAUSTED
 * @param maxOpenPerDatabase most live tails open at once on one database; more are refused the same
 *     way
 * @param dispatchThreads threads that fill the subscribers' buffers and write to their streams,
 *     shared by all live tails (an idle tail costs no thread); at least 1
 */
@ConfigurationProperties("evidentsource.subscriptions")
record SubscriptionProperties(
    @DefaultValue("1024") int bufferSize,
    @DefaultValue("10s") Duration maxStall,
    @DefaultValue("15s") Duration heartbeatInterval,
    @DefaultValue("10000") int maxOpen,
    @DefaultValue("1000") int maxOpenPerDatabase,
    @DefaultValue("2") int dispatchThreads) {

  SubscriptionProperties {
    // the core validates; this names the property in the message
    try {
      options(bufferSize, maxStall, heartbeatInterval, maxOpen, maxOpenPerDatabase);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("evidentsource.subscriptions: " + e.getMessage(), e);
    }
    if (dispatchThreads < 1) {
      throw new IllegalArgumentException(
          "evidentsource.subscriptions.dispatch-threads must be at least 1, was "
              + dispatchThreads);
    }
  }

  SubscriptionOptions options() {
    return options(bufferSize, maxStall, heartbeatInterval, maxOpen, maxOpenPerDatabase);
  }

  private static SubscriptionOptions options(
      int bufferSize,
      Duration maxStall,
      Duration heartbeatInterval,
      int maxOpen,
      int maxOpenPerDatabase) {
    return new SubscriptionOptions(
        bufferSize, maxStall, heartbeatInterval, maxOpen, maxOpenPerDatabase);
  }
}
