package io.evidentsource.server;

import java.net.URI;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The settings of a server test on a DynamoDB profile against moto. */
final class MotoProperties {
  private MotoProperties() {}

  /**
   * DynamoDB at {@code endpoint}, on tables and a components bucket of the test's own ({@code
   * prefix}), created at start.
   */
  static void tables(DynamicPropertyRegistry registry, URI endpoint, String prefix) {
    registry.add("evidentsource.dynamodb.endpoint", endpoint::toString);
    registry.add("evidentsource.dynamodb.table-prefix", () -> prefix);
    registry.add("evidentsource.dynamodb.create-tables", () -> "true");
    registry.add("evidentsource.dynamodb.components-bucket", () -> prefix + "-components");
  }
}
