package io.evidentsource.server.config;

import io.evidentsource.core.port.Storage;
import io.evidentsource.server.request.RequestAdmission;
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
  RequestAdmission requestAdmission(LimitsProperties properties, Storage storage) {
    return new RequestAdmission(properties.limits(storage.log().maxGroupTransactions()));
  }
}
