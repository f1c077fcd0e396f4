package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Spring Security's own observations (a timer per filter chain pass and per authorization) are off
 * unless {@code management.observations.enable.spring.security=true} (docs/operations.md, "Traces";
 * {@code SecurityConfiguration.noSecurityObservations}); the default is not written in
 * application.properties, so that Spring Boot's observation predicate has no names to look up.
 */
class SecurityObservationsTest {
  private static final String PREFIX = "spring_security_";

  private static boolean anySecuritySeries(Api api) {
    return Prometheus.scrape(api).samples().stream().anyMatch(s -> s.name().startsWith(PREFIX));
  }

  @Nested
  class By_default extends ServerTestBase {
    @Test
    void requests_record_no_security_series() {
      String db = api.createDatabase();
      assertThat(api.get("/api/v1/databases/" + db + "/events?limit=1").status()).isEqualTo(200);

      assertThat(anySecuritySeries(api)).isFalse();
    }
  }

  @Nested
  @TestPropertySource(properties = "management.observations.enable.spring.security=true")
  class Turned_on extends ServerTestBase {
    @Test
    void requests_record_filter_chain_series() {
      String db = api.createDatabase();
      assertThat(api.get("/api/v1/databases/" + db + "/events?limit=1").status()).isEqualTo(200);

      assertThat(
              Prometheus.scrape(api).samples().stream()
                  .anyMatch(s -> s.name().startsWith(PREFIX + "filterchains")))
          .isTrue();
    }
  }
}
