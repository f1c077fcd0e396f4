package io.evidentsource.storage.dynamodb;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds AWS clients with the settings every adapter shares: region, an optional endpoint override
 * (an emulator such as moto, or a VPC endpoint), the SDK's standard retry strategy (jittered
 * exponential backoff, retrying throttling and transient errors) with a configurable attempt count,
 * and execution interceptors (tracing).
 */
public final class DynamoDbClients {
  private DynamoDbClients() {}

  /**
   * Connection settings.
   *
   * @param region the AWS region, e.g. {@code eu-west-1}
   * @param endpoint an endpoint override (e.g. {@code http://127.0.0.1:5000}), or null for AWS
   * @param maxAttempts attempts per request including the first, ≥ 1 (throttling is retried with
   *     backoff until then)
   * @param interceptors execution interceptors added to every client built with these settings, in
   *     order (e.g. OpenTelemetry's AWS SDK instrumentation, which makes a span per request)
   */
  public record Settings(
      String region,
      @Nullable URI endpoint,
      int maxAttempts,
      List<ExecutionInterceptor> interceptors) {
    public Settings {
      if (region == null || region.isBlank()) {
        throw new IllegalArgumentException("region must not be blank");
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
      }
      interceptors = List.copyOf(interceptors);
    }

    /** Settings without interceptors. */
    public Settings(String region, @Nullable URI endpoint, int maxAttempts) {
      this(region, endpoint, maxAttempts, List.of());
    }

    /** These settings with {@code interceptors} instead of the current ones. */
    public Settings withInterceptors(List<ExecutionInterceptor> interceptors) {
      return new Settings(region, endpoint, maxAttempts, interceptors);
    }
  }

  /** A DynamoDB client with these settings. */
  public static DynamoDbClient dynamoDb(Settings settings) {
    return configure(DynamoDbClient.builder(), settings)
        .httpClientBuilder(Apache5HttpClient.builder().maxConnections(64))
        .build();
  }

  /**
   * An S3 client with these settings; with an endpoint override it addresses buckets by path
   * ({@code http://host/bucket/key}), as emulators need.
   */
  public static S3Client s3(Settings settings) {
    return configure(S3Client.builder(), settings)
        .forcePathStyle(settings.endpoint() != null)
        .httpClientBuilder(Apache5HttpClient.builder().maxConnections(64))
        .build();
  }

  /**
   * Applies region, endpoint, retries and credentials to any AWS client builder. With an endpoint
   * override on loopback and no AWS credentials in the environment, static test credentials are
   * used (emulators accept any).
   */
  public static <B extends AwsClientBuilder<B, C>, C> B configure(B builder, Settings settings) {
    builder
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials(settings))
        .overrideConfiguration(
            ClientOverrideConfiguration.builder()
                .retryStrategy(
                    AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(settings.maxAttempts())
                        .build())
                .apiCallAttemptTimeout(Duration.ofSeconds(10))
                .executionInterceptors(settings.interceptors())
                .build());
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder;
  }

  private static AwsCredentialsProvider credentials(Settings settings) {
    URI endpoint = settings.endpoint();
    boolean loopback =
        endpoint != null
            && endpoint.getHost() != null
            && (endpoint.getHost().equals("127.0.0.1") || endpoint.getHost().equals("localhost"));
    if (loopback && System.getenv("AWS_ACCESS_KEY_ID") == null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
