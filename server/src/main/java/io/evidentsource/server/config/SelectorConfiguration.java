package io.evidentsource.server.config;

import io.evidentsource.core.selector.SelectorLimits;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The selector complexity limits ({@link SelectorProperties}) every selector entry point checks.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SelectorProperties.class)
class SelectorConfiguration {

  @Bean
  SelectorLimits selectorLimits(SelectorProperties properties) {
    return properties.limits();
  }
}
