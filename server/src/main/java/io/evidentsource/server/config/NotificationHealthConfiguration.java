package io.evidentsource.server.config;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link NotificationHealth} every profile has: empty unless a DynamoDB profile's relay follows
 * it.
 */
@Configuration(proxyBeanMethods = false)
class NotificationHealthConfiguration {
  @Bean
  NotificationHealth notificationHealth(MeterRegistry registry) {
    return new NotificationHealth(registry);
  }
}
