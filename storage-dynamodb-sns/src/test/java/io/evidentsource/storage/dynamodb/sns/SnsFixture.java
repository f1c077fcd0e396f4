package io.evidentsource.storage.dynamodb.sns;

import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.NotificationRelay;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SNS topics listened to through SQS queues on the shared moto server, and a relay with short test
 * timings: the fixtures of this module's tests and of the server's {@code dynamodb-sns} tests.
 */
public final class SnsFixture {
  private SnsFixture() {}

  /**
   * Creates an SQS queue (a FIFO queue when {@code queueName} ends in {@code .fifo}) and subscribes
   * it to the topic.
   *
   * @param raw whether SNS delivers the message body alone ({@code RawMessageDelivery}) instead of
   *     its JSON envelope
   * @return the queue's URL
   */
  public static String subscribedQueue(
      SqsClient sqs, SnsClient sns, String topicArn, String queueName, boolean raw) {
    Map<QueueAttributeName, String> attributes =
        queueName.endsWith(".fifo") ? Map.of(QueueAttributeName.FIFO_QUEUE, "true") : Map.of();
    String queueUrl =
        sqs.createQueue(b -> b.queueName(queueName).attributes(attributes)).queueUrl();
    String queueArn =
        sqs.getQueueAttributes(
                b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    sns.subscribe(
        b -> {
          b.topicArn(topicArn).protocol("sqs").endpoint(queueArn);
          if (raw) {
            b.attributes(Map.of("RawMessageDelivery", "true"));
          }
        });
    return queueUrl;
  }

  /** A relay of its own (a random owner) with a 2 s lease, 300 ms sweeps and pages of 500. */
  public static NotificationRelay relay(
      DynamoDbStorageAdapter storage, DynamoDbClient dynamo, EventPublisher publisher) {
    return DynamoDbFixture.relay(
        storage, dynamo, publisher, Duration.ofSeconds(2), Duration.ofMillis(300));
  }
}
