package io.evidentsource.storage.dynamodb.sns;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.EventPublisher;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.storage.dynamodb.NotificationData;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import tools.jackson.core.JsonGenerator;

/**
 * Publishes a committed transaction to an SNS topic. The message body is the transaction's events
 * as a CloudEvents JSON batch ({@code application/cloudevents-batch+json}: an array of stored
 * CloudEvents with their {@code revision} and {@code recordedtime}); message attributes {@code
 * database} (String), {@code first_revision} and {@code last_revision} (Number). A transaction
 * whose batch exceeds SNS's 256 KiB message limit is sent as several messages of consecutive
 * revisions, each with its own attributes; an event that alone exceeds it is sent without its data,
 * with the {@code dataref} extension naming its event resource ({@link NotificationData}), so it
 * never blocks the notifications of its database. On a FIFO topic ({@code .fifo}) the message group
 * is the database, so SNS keeps each database's order, and the deduplication id is {@code
 * {database}-{first}-{last}-{commit epoch ms}} of the message's revisions, the same when the relay
 * publishes a transaction again, so SNS delivers it once (docs/dynamodb.md#notifications).
 */
public final class SnsEventPublisher implements EventPublisher {
  /** SNS's message limit (body and attributes), less room for the attributes. */
  static final int MAX_BODY_BYTES = 256 * 1024 - 1024;

  private final SnsClient sns;
  private final String topicArn;
  private final boolean fifo;

  /**
   * @param sns an SNS client (its retry strategy retries throttling)
   * @param topicArn the topic to publish to
   */
  public SnsEventPublisher(SnsClient sns, String topicArn) {
    this.sns = Objects.requireNonNull(sns, "sns");
    this.topicArn = Objects.requireNonNull(topicArn, "topicArn");
    this.fifo = topicArn.endsWith(".fifo");
  }

  @Override
  public void publish(DatabaseName database, List<StoredEvent> transaction) {
    publish(database, transaction, Map.of());
  }

  /** Also carries the trace context's headers as String message attributes. */
  @Override
  public void publish(
      DatabaseName database, List<StoredEvent> transaction, Map<String, String> traceContext) {
    if (transaction.isEmpty()) {
      throw new IllegalArgumentException("transaction must not be empty");
    }
    for (List<StoredEvent> part : split(database, transaction)) {
      send(database, part, batch(part), traceContext);
    }
  }

  private List<List<StoredEvent>> split(DatabaseName database, List<StoredEvent> events) {
    var parts = new ArrayList<List<StoredEvent>>();
    var current = new ArrayList<StoredEvent>();
    int size = 2;
    for (StoredEvent stored : events) {
      StoredEvent e = stored;
      int eventSize = batch(List.of(e)).length;
      if (eventSize + 2 > MAX_BODY_BYTES) {
        e = NotificationData.byReference(database, stored);
        eventSize = batch(List.of(e)).length;
      }
      if (!current.isEmpty() && size + eventSize + 1 > MAX_BODY_BYTES) {
        parts.add(current);
        current = new ArrayList<>();
        size = 2;
      }
      current.add(e);
      size += eventSize + 1;
    }
    parts.add(current);
    return parts;
  }

  private void send(
      DatabaseName database,
      List<StoredEvent> part,
      byte[] body,
      Map<String, String> traceContext) {
    long first = part.get(0).revision();
    long last = part.get(part.size() - 1).revision();
    var attributes = new LinkedHashMap<String, MessageAttributeValue>();
    traceContext.forEach((name, value) -> attributes.put(name, string(value)));
    attributes.put("database", string(database.value()));
    attributes.put("first_revision", number(first));
    attributes.put("last_revision", number(last));
    var request =
        PublishRequest.builder()
            .topicArn(topicArn)
            .message(new String(body, StandardCharsets.UTF_8))
            .messageAttributes(attributes);
    if (fifo) {
      request
          .messageGroupId(database.value())
          .messageDeduplicationId(
              database.value()
                  + "-"
                  + first
                  + "-"
                  + last
                  + "-"
                  + part.get(0).recordedTime().toEpochMilli());
    }
    sns.publish(request.build());
  }

  /** The events as a CloudEvents JSON batch. */
  static byte[] batch(List<StoredEvent> events) {
    var out = new ByteArrayOutputStream();
    try (JsonGenerator g = JsonSupport.mapper().createGenerator(out)) {
      g.writeStartArray();
      for (StoredEvent e : events) {
        CloudEventJson.write(e, g);
      }
      g.writeEndArray();
    }
    return out.toByteArray();
  }

  private static MessageAttributeValue string(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }

  private static MessageAttributeValue number(long value) {
    return MessageAttributeValue.builder()
        .dataType("Number")
        .stringValue(Long.toString(value))
        .build();
  }
}
