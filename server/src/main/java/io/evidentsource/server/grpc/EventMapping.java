package io.evidentsource.server.grpc;

import static io.evidentsource.api.ProtoCloudEvents.timestamp;

import io.cloudevents.v1.proto.CloudEvent;
import io.evidentsource.api.CloudEventFormatException;
import io.evidentsource.api.PlainCloudEvent;
import io.evidentsource.api.ProtoCloudEvents;
import io.evidentsource.api.v1.TransactResponse;
import io.evidentsource.api.v1.TransactionAudit;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Events and transactions between their evidentsource.v1 messages and the core model; events travel
 * in the CloudEvents protobuf format of {@link ProtoCloudEvents}, which the JVM client shares.
 */
final class EventMapping {
  private EventMapping() {}

  static io.evidentsource.api.v1.StoredEvent storedEvent(StoredEvent stored) {
    return io.evidentsource.api.v1.StoredEvent.newBuilder()
        .setEvent(cloudEvent(stored.event()))
        .setRevision(stored.revision())
        .setRecordedTime(timestamp(stored.recordedTime()))
        .build();
  }

  /** The CloudEvent of a core event (ADR 0004: see {@link ProtoCloudEvents}). */
  static CloudEvent cloudEvent(Event event) {
    EventData eventData = event.data();
    PlainCloudEvent.Data data =
        eventData == null
            ? null
            : eventData.<PlainCloudEvent.Data>match(
                json -> new PlainCloudEvent.Data.Text(json.text()),
                text -> new PlainCloudEvent.Data.Text(text.text()),
                binary -> new PlainCloudEvent.Data.Binary(binary.bytes()));
    EventTime time = event.time();
    return ProtoCloudEvents.encode(
        new PlainCloudEvent(
            event.id(),
            event.source(),
            event.type(),
            event.subject(),
            time == null ? null : time.text(),
            event.dataContentType(),
            event.dataSchema(),
            event.extensions(),
            data));
  }

  /**
   * A core event from the CloudEvents protobuf format; validation against the spec and the limits
   * is the core's ({@code EventValidator}). Text data of a JSON content type is JSON.
   *
   * @param index the event's position in its batch, named in errors
   */
  static Event event(CloudEvent message, int index) {
    PlainCloudEvent ce;
    try {
      ce = ProtoCloudEvents.decode(message);
    } catch (CloudEventFormatException e) {
      throw new EvidentSourceException(
          switch (e.reason()) {
            case MISSING_ATTRIBUTE -> ErrorCode.MISSING_ATTRIBUTE;
            case INVALID_ATTRIBUTE -> ErrorCode.INVALID_ATTRIBUTE;
            case UNSUPPORTED_SPECVERSION -> ErrorCode.UNSUPPORTED_SPECVERSION;
          },
          "event " + index + ": " + e.getMessage(),
          Map.of("index", index, "attribute", e.attribute()));
    }
    var b =
        Event.builder()
            .id(ce.id())
            .source(ce.source())
            .type(ce.type())
            .subject(ce.subject())
            .dataContentType(ce.dataContentType())
            .dataSchema(ce.dataSchema());
    if (ce.time() != null) {
      b.time(EventTime.parse(ce.time()));
    }
    ce.extensions().forEach(b::extension);
    b.data(data(ce, index));
    return b.build();
  }

  private static @Nullable EventData data(PlainCloudEvent ce, int index) {
    PlainCloudEvent.Data data = ce.data();
    if (data == null) {
      return null;
    }
    return data.<@Nullable EventData>match(
        text -> textData(text.text(), ce.dataContentType(), index),
        binary -> new EventData.Binary(binary.bytes()));
  }

  /**
   * JSON data when the content type is a JSON media type (null for JSON {@code null}), else text.
   */
  private static @Nullable EventData textData(
      String text, @Nullable String contentType, int index) {
    if (!CloudEventJson.isJsonMediaType(contentType)) {
      return new EventData.Text(text);
    }
    try {
      var node = JsonSupport.parse(text.getBytes(StandardCharsets.UTF_8));
      return node.isNull() ? null : JsonSupport.jsonData(node);
    } catch (EvidentSourceException e) {
      throw e.withField("index", index).withField("attribute", "text_data");
    }
  }

  static Transaction transaction(
      io.evidentsource.api.v1.TransactRequest request, SelectorLimits limits) {
    UUID id = null;
    if (!request.getTransactionId().isEmpty()) {
      try {
        id = UUID.fromString(request.getTransactionId());
      } catch (IllegalArgumentException e) {
        throw new EvidentSourceException(
            ErrorCode.MALFORMED_REQUEST,
            "transaction_id must be a UUID, was '" + request.getTransactionId() + "'",
            Map.of("field", "transaction_id"));
      }
    }
    var events = new ArrayList<Event>(request.getEventsCount());
    for (int i = 0; i < request.getEventsCount(); i++) {
      events.add(event(request.getEvents(i), i));
    }
    var conditions = new ArrayList<AppendCondition>(request.getConditionsCount());
    for (int i = 0; i < request.getConditionsCount(); i++) {
      try {
        conditions.add(SelectorMapping.condition(request.getConditions(i), limits));
      } catch (EvidentSourceException e) {
        throw e.withField("path", "conditions[" + i + "].selector");
      }
    }
    return new Transaction(id, events, conditions);
  }

  static TransactionAudit transactionAudit(TransactionRecord record) {
    var r = record.result();
    var o = record.origin();
    return TransactionAudit.newBuilder()
        .setTransactionId(r.transactionId().toString())
        .setFirstRevision(r.firstRevision())
        .setRevision(r.revision())
        .setEventCount(r.eventCount())
        .setRecordedTime(timestamp(r.recordedTime()))
        .setPrincipal(o.principal())
        .setOrigin(o.origin())
        .setRequestId(o.requestId())
        .setRemoteAddress(o.remoteAddress() == null ? "" : o.remoteAddress())
        .setUserAgent(o.userAgent() == null ? "" : o.userAgent())
        .build();
  }

  static TransactResponse transactResponse(TransactionResult result) {
    return TransactResponse.newBuilder()
        .setTransactionId(result.transactionId().toString())
        .setFirstRevision(result.firstRevision())
        .setRevision(result.revision())
        .setEventCount(result.eventCount())
        .setRecordedTime(timestamp(result.recordedTime()))
        .setDuplicate(result.duplicate())
        .build();
  }
}
