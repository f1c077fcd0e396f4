package io.evidentsource.server.config;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * SNS settings of the {@code dynamodb-sns} profile, bound from {@code evidentsource.sns.*}.
 *
 * @param topicArn the topic every committed transaction is published to, e.g. {@code
 *     arn:aws:sns:eu-west-1:123456789012:evidentsource}; required (a {@code .fifo} topic keeps each
 *     database's messages in one message group)
 */
@ConfigurationProperties("evidentsource.sns")
record SnsProperties(@Nullable String topicArn) {
  private static final Pattern ARN = Pattern.compile("arn:[^:]+:sns:[^:]*:[^:]*:[A-Za-z0-9_.-]+");

  SnsProperties {
    if (topicArn == null || topicArn.isBlank()) {
      throw new IllegalArgumentException(
          "evidentsource.sns.topic-arn must be set for the dynamodb-sns profile"
              + " (EVIDENTSOURCE_SNS_TOPIC_ARN=arn:aws:sns:REGION:ACCOUNT:TOPIC)");
    }
    if (!ARN.matcher(topicArn).matches()) {
      throw new IllegalArgumentException(
          "evidentsource.sns.topic-arn must be an SNS topic ARN"
              + " (arn:aws:sns:REGION:ACCOUNT:TOPIC), was '"
              + topicArn
              + "'");
    }
  }
}
