package io.evidentsource.server.config;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The per-request query budget of {@link QueryProperties} (issue 18). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(QueryProperties.class)
class QueryConfiguration {

  @Bean
  QueryBudgets queryBudgets(QueryProperties properties) {
    return new QueryBudgets(properties.limits());
  }
}
