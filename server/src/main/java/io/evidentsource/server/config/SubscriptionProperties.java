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
 * @param maxStall how long a subscriber's buffer may stay full before the subscription is ended
 *     with {@code slow_consumer} (the subscriber resumes after the last revision it received)
 * @param heartbeatInterval how long without a matching event before a heartbeat (an SSE comment
 *     line, a gRPC {@code Heartbeat} message) tells the subscriber the stream is alive
 */
@ConfigurationProperties("evidentsource.subscriptions")
record SubscriptionProperties(
    @DefaultValue("1024") int bufferSize,
    @DefaultValue("10s") Duration maxStall,
    @DefaultValue("15s") Duration heartbeatInterval) {

  SubscriptionProperties {
    // the core validates; this names the property in the message
    try {
      new SubscriptionOptions(bufferSize, maxStall, heartbeatInterval);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("evidentsource.subscriptions: " + e.getMessage(), e);
    }
  }

  SubscriptionOptions options() {
    return new SubscriptionOptions(bufferSize, maxStall, heartbeatInterval);
  }
}
