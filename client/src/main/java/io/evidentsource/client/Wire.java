package io.evidentsource.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.cloudevents.v1.proto.CloudEvent;
import io.evidentsource.api.PlainCloudEvent;
import io.evidentsource.api.ProtoCloudEvents;
import io.evidentsource.api.v1.AppendCondition;
import io.evidentsource.api.v1.Attribute;
import io.evidentsource.api.v1.EventSelector;
import io.evidentsource.api.v1.FailedConditions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The mapping between the client's records and the evidentsource.v1 messages (private); events go
 * through the CloudEvents protobuf format of {@link ProtoCloudEvents}, shared with the server.
 */
final class Wire {
  private Wire() {}

  static Database database(io.evidentsource.api.v1.Database d) {
    return new Database(
        d.getName(),
        ProtoCloudEvents.instant(d.getCreatedAt()),
        d.getRevision(),
        ProtoCloudEvents.instant(d.getRevisionTime()));
  }

  static TransactionResult result(io.evidentsource.api.v1.TransactResponse r) {
    return new TransactionResult(
        UUID.fromString(r.getTransactionId()),
        r.getFirstRevision(),
        r.getRevision(),
        r.getEventCount(),
        ProtoCloudEvents.instant(r.getRecordedTime()),
        r.getDuplicate());
  }

  /** The CloudEvent of a client event; {@code dataschema} is an extension of the client's. */
  static CloudEvent cloudEvent(Event e) {
    var extensions = new LinkedHashMap<String, Object>(e.extensions());
    Object schema = extensions.remove("dataschema");
    byte[] data = e.data();
    PlainCloudEvent.Data body = null;
    if (data != null) {
      body =
          e.textual()
              ? new PlainCloudEvent.Data.Text(Objects.requireNonNull(e.dataText()))
              : new PlainCloudEvent.Data.Binary(data);
    }
    return ProtoCloudEvents.encode(
        new PlainCloudEvent(
            e.id(),
            e.source(),
            e.type(),
            e.subject(),
            e.time(),
            e.dataContentType(),
            schema == null ? null : schema.toString(),
            extensions,
            body));
  }

  static StoredEvent stored(io.evidentsource.api.v1.StoredEvent s) {
    PlainCloudEvent ce = ProtoCloudEvents.decode(s.getEvent());
    var extensions = new LinkedHashMap<String, Object>(ce.extensions());
    if (ce.dataSchema() != null) {
      extensions.put("dataschema", ce.dataSchema());
    }
    PlainCloudEvent.Data body = ce.data();
    byte[] data =
        body == null
            ? null
            : body.match(
                text -> text.text().getBytes(StandardCharsets.UTF_8), binary -> binary.bytes());
    var event =
        new Event(
            ce.id(),
            ce.source(),
            ce.type(),
            ce.subject(),
            ce.time(),
            ce.dataContentType(),
            extensions,
            data);
    return new StoredEvent(s.getRevision(), ProtoCloudEvents.instant(s.getRecordedTime()), event);
  }

  static EventSelector selector(Selector s) {
    return s.match(
            any -> EventSelector.newBuilder().setAny(EventSelector.AnyEvent.getDefaultInstance()),
            equals -> {
              var m = EventSelector.Equals.newBuilder().setAttribute(attribute(equals.attribute()));
              if (equals.value() != null) {
                m.setValue(equals.value());
              }
              return EventSelector.newBuilder().setEquals(m);
            },
            startsWith ->
                EventSelector.newBuilder()
                    .setStartsWith(
                        EventSelector.StartsWith.newBuilder()
                            .setAttribute(attribute(startsWith.attribute()))
                            .setPrefix(startsWith.prefix())),
            and -> EventSelector.newBuilder().setAnd(group(and.selectors())),
            or -> EventSelector.newBuilder().setOr(group(or.selectors())))
        .build();
  }

  private static EventSelector.Selectors group(List<Selector> list) {
    var g = EventSelector.Selectors.newBuilder();
    list.forEach(s -> g.addSelectors(selector(s)));
    return g.build();
  }

  private static Attribute attribute(Selector.Attribute a) {
    return switch (a) {
      case STREAM -> Attribute.ATTRIBUTE_STREAM;
      case SUBJECT -> Attribute.ATTRIBUTE_SUBJECT;
      case EVENT_TYPE -> Attribute.ATTRIBUTE_EVENT_TYPE;
      case TAG -> Attribute.ATTRIBUTE_TAG;
    };
  }

  /** A selector the server echoed (in failed conditions); absent means every event. */
  private static Selector selector(EventSelector s) {
    return switch (s.getKindCase()) {
      case ANY, KIND_NOT_SET -> Selector.any();
      case EQUALS ->
          new Selector.Equals(
              attribute(s.getEquals().getAttribute()),
              s.getEquals().hasValue() ? s.getEquals().getValue() : null);
      case STARTS_WITH ->
          new Selector.StartsWith(
              attribute(s.getStartsWith().getAttribute()), s.getStartsWith().getPrefix());
      case AND -> new Selector.And(selectors(s.getAnd().getSelectorsList()));
      case OR -> new Selector.Or(selectors(s.getOr().getSelectorsList()));
    };
  }

  private static List<Selector> selectors(List<EventSelector> list) {
    var out = new ArrayList<Selector>();
    list.forEach(s -> out.add(selector(s)));
    return out;
  }

  private static Selector.Attribute attribute(Attribute a) {
    return switch (a) {
      case ATTRIBUTE_STREAM -> Selector.Attribute.STREAM;
      case ATTRIBUTE_SUBJECT -> Selector.Attribute.SUBJECT;
      case ATTRIBUTE_EVENT_TYPE -> Selector.Attribute.EVENT_TYPE;
      case ATTRIBUTE_TAG -> Selector.Attribute.TAG;
      case ATTRIBUTE_UNSPECIFIED, UNRECOGNIZED ->
          throw new IllegalStateException("the server sent a selector attribute " + a);
    };
  }

  static AppendCondition condition(Condition c) {
    return c.match(
            max ->
                AppendCondition.newBuilder()
                    .setMax(
                        AppendCondition.Max.newBuilder()
                            .setSelector(selector(max.selector()))
                            .setRevision(max.revision())),
            min ->
                AppendCondition.newBuilder()
                    .setMin(
                        AppendCondition.Min.newBuilder()
                            .setSelector(selector(min.selector()))
                            .setRevision(min.revision())),
            range ->
                AppendCondition.newBuilder()
                    .setRange(
                        AppendCondition.Range.newBuilder()
                            .setSelector(selector(range.selector()))
                            .setStart(range.start())
                            .setEnd(range.end())))
        .build();
  }

  /** A condition the server echoed in {@code FailedConditions}: the client sent it. */
  private static Condition condition(AppendCondition c) {
    return switch (c.getKindCase()) {
      case MAX -> Condition.max(selector(c.getMax().getSelector()), c.getMax().getRevision());
      case MIN -> Condition.min(selector(c.getMin().getSelector()), c.getMin().getRevision());
      case RANGE ->
          Condition.range(
              selector(c.getRange().getSelector()), c.getRange().getStart(), c.getRange().getEnd());
      case KIND_NOT_SET ->
          throw new IllegalStateException("the server sent a condition without a kind");
    };
  }

  /** The typed exception for a failed call. */
  static EvidentSourceException error(Throwable t) {
    if (t instanceof EvidentSourceException known) {
      return known;
    }
    Status status = Status.fromThrowable(t);
    String message =
        status.getDescription() != null ? status.getDescription() : status.getCode().name();
    String code = status.getCode().name().toLowerCase(Locale.ROOT);
    Map<String, String> metadata = Map.of();
    FailedConditions failed = null;
    var details = StatusProto.fromThrowable(t);
    if (details != null) {
      for (var any : details.getDetailsList()) {
        try {
          if (any.is(ErrorInfo.class)) {
            var info = any.unpack(ErrorInfo.class);
            code = info.getReason();
            metadata = info.getMetadataMap();
          } else if (any.is(FailedConditions.class)) {
            failed = any.unpack(FailedConditions.class);
          }
        } catch (InvalidProtocolBufferException e) {
          // an unreadable detail: keep what the status says
        }
      }
    }
    return switch (status.getCode()) {
      case NOT_FOUND -> new EvidentSourceException.NotFound(code, message, metadata, t);
      case ALREADY_EXISTS -> new EvidentSourceException.AlreadyExists(code, message, metadata, t);
      case INVALID_ARGUMENT ->
          new EvidentSourceException.InvalidRequest(code, message, metadata, t);
      case RESOURCE_EXHAUSTED ->
          new EvidentSourceException.LimitExceeded(code, message, metadata, t);
      case FAILED_PRECONDITION -> {
        if (failed != null) {
          var failures = new ArrayList<Condition.Failed>();
          for (var f : failed.getFailedConditionsList()) {
            failures.add(new Condition.Failed(condition(f.getCondition()), f.getActualRevision()));
          }
          yield new ConditionFailedException(
              message, metadata, failed.getHeadRevision(), failures, t);
        }
        if (code.equals("command_rejected")) {
          yield new EvidentSourceException.CommandRejected(message, metadata, t);
        }
        yield new EvidentSourceException(code, status.getCode(), message, metadata, t);
      }
      case UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED ->
          new EvidentSourceException.Unavailable(code, status.getCode(), message, metadata, t);
      default -> new EvidentSourceException(code, status.getCode(), message, metadata, t);
    };
  }

  /** Whether a transaction may be retried with the same transaction id. */
  static boolean retriable(Throwable t) {
    if (!(t instanceof StatusRuntimeException sre)) {
      return false;
    }
    var code = sre.getStatus().getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.ABORTED;
  }
}
