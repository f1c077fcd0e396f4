package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The check that an environment variable of a deployment (the image, the compose file, the ECS task
 * definition) sets a real property of the server.
 */
final class ServerPropertiesAssert {
  private ServerPropertiesAssert() {}

  static void setsAServerProperty(String environmentVariable) {
    var server = ServerProperties.of();
    var property = server.propertyOf(environmentVariable);
    assertThat(property)
        .as(
            "%s sets no property of the server (a typo, or a property that was renamed)",
            environmentVariable)
        .isPresent();
  }
}
