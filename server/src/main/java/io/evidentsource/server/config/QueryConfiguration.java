package io.evidentsource.server.config;

import io.evidentsource.core.port.Storage;
import io.evidentsource.server.request.RequestAdmission;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The per-request query budget of {@link QueryProperties} and the fair admission of requests of
 * {@link LimitsProperties} (issue 18).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({QueryProperties.class, LimitsProperties.class})
class QueryConfiguration {

  @Bean
  QueryBudgets queryBudgets(QueryProperties properties, ObjectProvider<MeterRegistry> registry) {
    return new QueryBudgets(properties.limits(), registry.getIfAvailable());
  }

  @Bean
  RequestAdmission requestAdmission(
      LimitsProperties properties, Storage storage, ObjectProvider<MeterRegistry> registry) {
    var limits = properties.limits(storage.log().maxGroupTransactions());
    MeterRegistry meters = registry.getIfAvailable();
    if (meters == null) {
      return new RequestAdmission(limits);
    }
    return new RequestAdmission(
        limits,
        limit ->
            Counter.builder("evidentsource.requests.refused")
                .description(
                    "Requests refused with too_many_requests: the database's or the API key's"
                        + " requests in flight and waiting were at their limits")
                .tag("limit", limit)
                .register(meters)
                .increment());
  }
}
