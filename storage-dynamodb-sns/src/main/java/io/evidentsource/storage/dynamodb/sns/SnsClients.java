package io.evidentsource.storage.dynamodb.sns;

import io.evidentsource.storage.dynamodb.DynamoDbClients;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.sns.SnsClient;

/** Builds SNS clients with the shared region, endpoint and retry settings. */
public final class SnsClients {
  private SnsClients() {}

  /** An SNS client with these settings. */
  public static SnsClient sns(DynamoDbClients.Settings settings) {
    return DynamoDbClients.configure(SnsClient.builder(), settings)
        .httpClientBuilder(Apache5HttpClient.builder())
        .build();
  }
}
