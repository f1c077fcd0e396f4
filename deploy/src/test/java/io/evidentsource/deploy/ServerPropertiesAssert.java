package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

/**
 * The check that an environment variable of a deployment (the image, the compose file, the ECS task
 * definition) sets a real property of the server.
 */
final class ServerPropertiesAssert {
  /**
   * Properties that issue 13 (security: API keys, the {@code prod} profile) defines and that the
   * deployments already set, so they work the day it lands; accepted while the server lacks them.
   * Once the server has them they are checked like any other.
   */
  static final Map<String, String> PENDING_ISSUE_13 =
      Map.of(
          "EVIDENTSOURCE_SECURITY_ENABLED", "evidentsource.security.enabled",
          "EVIDENTSOURCE_SECURITY_API_KEYS_FILE", "evidentsource.security.api-keys-file");

  private ServerPropertiesAssert() {}

  static void setsAServerProperty(String environmentVariable) {
    var server = ServerProperties.of();
    var property = server.propertyOf(environmentVariable);
    if (property.isEmpty() && PENDING_ISSUE_13.containsKey(environmentVariable)) {
      assertThat(server.exists(PENDING_ISSUE_13.get(environmentVariable))).isFalse();
      return;
    }
    assertThat(property)
        .as(
            "%s sets no property of the server (a typo, or a property that was renamed)",
            environmentVariable)
        .isPresent();
  }
}
