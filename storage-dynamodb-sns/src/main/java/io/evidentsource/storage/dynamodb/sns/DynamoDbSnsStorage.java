package io.evidentsource.storage.dynamodb.sns;

import io.evidentsource.core.port.Storage;
import io.evidentsource.storage.dynamodb.DynamoDbStorage;
import java.util.Objects;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The DynamoDB + SNS production storage assembled: the shared DynamoDB log and components of {@link
 * DynamoDbStorage}, with every committed transaction published to an SNS topic by the storage's
 * relay (docs/dynamodb.md#notifications, ADR 0006).
 */
public final class DynamoDbSnsStorage {
  private DynamoDbSnsStorage() {}

  /**
   * Builds and starts the storage; its SNS client uses the DynamoDB builder's {@link
   * DynamoDbStorage.Builder#clientSettings() client settings} and is closed with the storage.
   *
   * @param dynamoDb the DynamoDB settings (tables, bucket, relay), with client settings
   * @param topicArn the topic every committed transaction goes to
   * @throws io.evidentsource.storage.dynamodb.DynamoDbSetupException when a table or the bucket is
   *     missing or not as expected
   */
  public static Storage create(DynamoDbStorage.Builder dynamoDb, String topicArn) {
    Objects.requireNonNull(topicArn, "topicArn");
    SnsClient sns = SnsClients.sns(dynamoDb.clientSettings());
    return dynamoDb.publisher(new SnsEventPublisher(sns, topicArn)).closeWithStorage(sns).build();
  }
}
