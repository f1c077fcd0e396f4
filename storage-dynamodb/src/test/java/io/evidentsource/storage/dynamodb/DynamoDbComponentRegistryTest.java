package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.storage.tck.ComponentRegistryTck;

/**
 * The component registry conformance suite against DynamoDB and S3 (moto, see {@link MotoServer}).
 */
class DynamoDbComponentRegistryTest extends ComponentRegistryTck {
  private static final ComponentRegistry REGISTRY = DynamoDbFixture.componentRegistry();

  @Override
  protected ComponentRegistry registry() {
    return REGISTRY;
  }
}
