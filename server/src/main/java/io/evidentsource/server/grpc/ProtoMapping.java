package io.evidentsource.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cloudevents.v1.proto.CloudEvent;
import io.cloudevents.v1.proto.CloudEvent.CloudEventAttributeValue;
import io.evidentsource.api.v1.ExecuteCommandResponse;
import io.evidentsource.api.v1.QueryEventsRequest;
import io.evidentsource.api.v1.ReadStateViewRequest;
import io.evidentsource.api.v1.ReadStateViewResponse;
import io.evidentsource.api.v1.TransactResponse;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.component.CommandResult;
import io.evidentsource.core.component.PublishedStateChange;
import io.evidentsource.core.component.PublishedStateView;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.component.StateViewResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.selector.SelectorText;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.server.request.ComponentRequests;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The one mapping between the evidentsource.v1 protobuf messages and the core model (ADR 0004).
 * Events travel in the CloudEvents protobuf format: {@code subject}, {@code time}, {@code
 * datacontenttype}, {@code dataschema} and extensions in the attribute map; JSON and text data as
 * {@code text_data}, binary data as {@code binary_data}. {@code time} is a {@code ce_timestamp};
 * when its RFC 3339 text has an offset or fraction the timestamp cannot reproduce, the exact text
 * travels beside it as the string attribute {@value #TIME_TEXT}.
 */
final class ProtoMapping {
  /** Attribute carrying the exact RFC 3339 text of {@code time} next to its timestamp. */
  static final String TIME_TEXT = "timetext";

  private ProtoMapping() {}

  // ---- time ----

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  // ---- catalog and results ----

  static io.evidentsource.api.v1.Database database(DatabaseInfo info) {
    return io.evidentsource.api.v1.Database.newBuilder()
        .setName(info.name().value())
        .setCreatedAt(timestamp(info.createdAt()))
        .setRevision(info.revision())
        .setRevisionTime(timestamp(info.revisionTime()))
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

  // ---- state views and state changes ----

  static io.evidentsource.api.v1.StateView stateView(PublishedStateView v) {
    var d = v.definition();
    var b =
        io.evidentsource.api.v1.StateView.newBuilder()
            .setName(d.name())
            .setVersion(v.id().version())
            .setCreatedAt(timestamp(v.createdAt()))
            .setContentType(d.contentType())
            .setEventSelector(selector(d.selector()))
            .setQueryTemporality(
                d.temporality() == QueryTemporality.EFFECTIVE
                    ? io.evidentsource.api.v1.QueryTemporality.QUERY_TEMPORALITY_EFFECTIVE
                    : io.evidentsource.api.v1.QueryTemporality.QUERY_TEMPORALITY_REVISION)
            .setModuleSize(v.moduleSize())
            .setModuleSha256(v.moduleSha256());
    if (d.description() != null) {
      b.setDescription(d.description());
    }
    if (d.contentSchema() != null) {
      b.setContentSchema(d.contentSchema());
    }
    return b.build();
  }

  static io.evidentsource.api.v1.StateChange stateChange(PublishedStateChange c) {
    var b =
        io.evidentsource.api.v1.StateChange.newBuilder()
            .setName(c.definition().name())
            .setVersion(c.id().version())
            .setCreatedAt(timestamp(c.createdAt()))
            .setModuleSize(c.moduleSize())
            .setModuleSha256(c.moduleSha256());
    if (c.definition().description() != null) {
      b.setDescription(c.definition().description());
    }
    return b.build();
  }

  /** The JSON name of a publish request's temporality, or null for the default (revision). */
  static @Nullable String temporality(io.evidentsource.api.v1.QueryTemporality t) {
    switch (t) {
      case QUERY_TEMPORALITY_UNSPECIFIED:
        return null;
      case QUERY_TEMPORALITY_REVISION:
        return QueryTemporality.REVISION.jsonName();
      case QUERY_TEMPORALITY_EFFECTIVE:
        return QueryTemporality.EFFECTIVE.jsonName();
      default:
        throw ComponentRequests.malformed(
            "unknown query_temporality " + t.getNumber(), "query_temporality");
    }
  }

  static StateViewRead stateViewRead(ReadStateViewRequest r) {
    return new StateViewRead(
        r.hasRevision() ? r.getRevision() : null,
        r.hasAsOfTransactionTime() ? instant(r.getAsOfTransactionTime()) : null,
        r.hasAsOfEffectiveTime() ? instant(r.getAsOfEffectiveTime()) : null,
        r.getParamsMap());
  }

  static ReadStateViewResponse readStateViewResponse(StateViewResult result) {
    var b =
        ReadStateViewResponse.newBuilder()
            .setDatabase(result.database().value())
            .setName(result.name())
            .setVersion(result.version())
            .setRevision(result.revision())
            .setLastModifiedRevision(result.lastModifiedRevision())
            .setContentType(result.contentType())
            .setContent(ByteString.copyFrom(result.content()));
    if (result.lastModifiedTime() != null) {
      b.setLastModifiedTime(timestamp(result.lastModifiedTime()));
    }
    return b.build();
  }

  static ExecuteCommandResponse executeCommandResponse(CommandResult result) {
    var b = ExecuteCommandResponse.newBuilder().setBasisRevision(result.basisRevision());
    if (result.transaction() != null) {
      b.setTransaction(transactResponse(result.transaction()));
    }
    result.events().forEach(e -> b.addEvents(storedEvent(e)));
    return b.build();
  }

  // ---- events ----

  static io.evidentsource.api.v1.StoredEvent storedEvent(StoredEvent stored) {
    return io.evidentsource.api.v1.StoredEvent.newBuilder()
        .setEvent(cloudEvent(stored.event()))
        .setRevision(stored.revision())
        .setRecordedTime(timestamp(stored.recordedTime()))
        .build();
  }

  static CloudEvent cloudEvent(Event event) {
    var b =
        CloudEvent.newBuilder()
            .setId(event.id())
            .setSource(event.source())
            .setSpecVersion(Event.SPEC_VERSION)
            .setType(event.type());
    if (event.subject() != null) {
      b.putAttributes("subject", string(event.subject()));
    }
    EventTime time = event.time();
    if (time != null) {
      b.putAttributes(
          "time",
          CloudEventAttributeValue.newBuilder().setCeTimestamp(timestamp(time.instant())).build());
      if (!time.text().equals(DateTimeFormatter.ISO_INSTANT.format(time.instant()))) {
        b.putAttributes(TIME_TEXT, string(time.text()));
      }
    }
    if (event.dataContentType() != null) {
      b.putAttributes("datacontenttype", string(event.dataContentType()));
    }
    if (event.dataSchema() != null) {
      b.putAttributes(
          "dataschema", CloudEventAttributeValue.newBuilder().setCeUri(event.dataSchema()).build());
    }
    event
        .extensions()
        .forEach(
            (name, value) -> {
              var v = CloudEventAttributeValue.newBuilder();
              if (value instanceof Boolean) {
                v.setCeBoolean((Boolean) value);
              } else if (value instanceof Integer) {
                v.setCeInteger((Integer) value);
              } else {
                v.setCeString(value.toString());
              }
              b.putAttributes(name, v.build());
            });
    EventData data = event.data();
    if (data instanceof EventData.Json) {
      b.setTextData(((EventData.Json) data).text());
    } else if (data instanceof EventData.Text) {
      b.setTextData(((EventData.Text) data).text());
    } else if (data instanceof EventData.Binary) {
      b.setBinaryData(ByteString.copyFrom(((EventData.Binary) data).bytes()));
    }
    return b.build();
  }

  /**
   * An event from the CloudEvents protobuf format; validation against the spec and the limits is
   * the core's ({@code EventValidator}).
   *
   * @param index the event's position in its batch, named in errors
   */
  static Event event(CloudEvent ce, int index) {
    if (!ce.getSpecVersion().isEmpty() && !Event.SPEC_VERSION.equals(ce.getSpecVersion())) {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_SPECVERSION,
          "event " + index + ": spec_version must be '1.0', was '" + ce.getSpecVersion() + "'",
          Map.of("attribute", "specversion", "index", index));
    }
    // proto3 cannot tell an empty string from an absent one: empty required fields are missing
    required(ce.getId(), "id", index);
    required(ce.getSource(), "source", index);
    required(ce.getType(), "type", index);
    var b = Event.builder().id(ce.getId()).source(ce.getSource()).type(ce.getType());
    Map<String, CloudEventAttributeValue> attributes = ce.getAttributesMap();
    CloudEventAttributeValue timeText = attributes.get(TIME_TEXT);
    for (var entry : attributes.entrySet()) {
      String name = entry.getKey();
      CloudEventAttributeValue value = entry.getValue();
      switch (name) {
        case "subject" -> b.subject(text(value, name, index));
        case "datacontenttype" -> b.dataContentType(text(value, name, index));
        case "dataschema" -> b.dataSchema(text(value, name, index));
        case "time" -> b.time(time(value, timeText, index));
        case "specversion", "id", "source", "type" ->
            throw invalid(
                index,
                name,
                "attribute '" + name + "' is a field of the CloudEvent message, not an attribute");
        default -> {
          if (name.equals(TIME_TEXT) && attributes.containsKey("time")) {
            continue;
          }
          b.extension(name, extensionValue(value, name, index));
        }
      }
    }
    b.data(data(ce, attributes, index));
    return b.build();
  }

  private static void required(String value, String attribute, int index) {
    if (value.isEmpty()) {
      throw new EvidentSourceException(
          ErrorCode.MISSING_ATTRIBUTE,
          "event " + index + ": required attribute '" + attribute + "' is missing or empty",
          Map.of("index", index, "attribute", attribute));
    }
  }

  private static EventTime time(
      CloudEventAttributeValue value, @Nullable CloudEventAttributeValue timeText, int index) {
    if (value.hasCeTimestamp()) {
      Instant instant = instant(value.getCeTimestamp());
      if (timeText != null && timeText.hasCeString()) {
        EventTime exact = EventTime.parse(timeText.getCeString());
        if (!exact.instant().equals(instant)) {
          throw invalid(
              index,
              TIME_TEXT,
              "attribute '"
                  + TIME_TEXT
                  + "' ("
                  + timeText.getCeString()
                  + ") does not denote the same instant as 'time' ("
                  + instant
                  + ")");
        }
        return exact;
      }
      return EventTime.of(instant);
    }
    if (value.hasCeString()) {
      return EventTime.parse(value.getCeString());
    }
    throw invalid(
        index, "time", "attribute 'time' must be a ce_timestamp (or an RFC 3339 ce_string)");
  }

  private static String text(CloudEventAttributeValue value, String name, int index) {
    switch (value.getAttrCase()) {
      case CE_STRING:
        return value.getCeString();
      case CE_URI:
        return value.getCeUri();
      case CE_URI_REF:
        return value.getCeUriRef();
      default:
        throw invalid(
            index, name, "attribute '" + name + "' must be a string, was " + value.getAttrCase());
    }
  }

  private static Object extensionValue(CloudEventAttributeValue value, String name, int index) {
    switch (value.getAttrCase()) {
      case CE_BOOLEAN:
        return value.getCeBoolean();
      case CE_INTEGER:
        return value.getCeInteger();
      case CE_STRING:
        return value.getCeString();
      case CE_URI:
        return value.getCeUri();
      case CE_URI_REF:
        return value.getCeUriRef();
      case CE_BYTES:
        return Base64.getEncoder().encodeToString(value.getCeBytes().toByteArray());
      case CE_TIMESTAMP:
        return DateTimeFormatter.ISO_INSTANT.format(instant(value.getCeTimestamp()));
      default:
        throw invalid(index, name, "attribute '" + name + "' has no value");
    }
  }

  private static @Nullable EventData data(
      CloudEvent ce, Map<String, CloudEventAttributeValue> attributes, int index) {
    switch (ce.getDataCase()) {
      case BINARY_DATA:
        return new EventData.Binary(ce.getBinaryData().toByteArray());
      case TEXT_DATA:
        var type = attributes.get("datacontenttype");
        String contentType = type != null && type.hasCeString() ? type.getCeString() : null;
        if (CloudEventJson.isJsonMediaType(contentType)) {
          try {
            var node = JsonSupport.parse(ce.getTextData().getBytes(StandardCharsets.UTF_8));
            return node.isNull() ? null : new EventData.Json(JsonSupport.compact(node));
          } catch (EvidentSourceException e) {
            throw e.withField("index", index).withField("attribute", "text_data");
          }
        }
        return new EventData.Text(ce.getTextData());
      case PROTO_DATA:
        throw invalid(
            index,
            "proto_data",
            "proto_data is not stored; send the serialized message as binary_data with"
                + " datacontenttype application/protobuf");
      default:
        return null;
    }
  }

  // ---- selectors, conditions, transactions, queries ----

  static EventSelector selector(io.evidentsource.api.v1.EventSelector s) {
    switch (s.getKindCase()) {
      case ANY:
        return EventSelector.any();
      case EQUALS:
        var eq = s.getEquals();
        return new EventSelector.Equals(
            attribute(eq.getAttribute()), eq.hasValue() ? eq.getValue() : null);
      case STARTS_WITH:
        var sw = s.getStartsWith();
        return new EventSelector.StartsWith(attribute(sw.getAttribute()), sw.getPrefix());
      case AND:
        return new EventSelector.And(selectors(s.getAnd().getSelectorsList()));
      case OR:
        return new EventSelector.Or(selectors(s.getOr().getSelectorsList()));
      default:
        throw new EvidentSourceException(
            ErrorCode.INVALID_SELECTOR,
            "a selector needs one of any, equals, starts_with, and, or");
    }
  }

  private static List<EventSelector> selectors(List<io.evidentsource.api.v1.EventSelector> list) {
    var out = new ArrayList<EventSelector>(list.size());
    for (var s : list) {
      out.add(selector(s));
    }
    return out;
  }

  private static Attribute attribute(io.evidentsource.api.v1.Attribute a) {
    switch (a) {
      case ATTRIBUTE_STREAM:
        return Attribute.STREAM;
      case ATTRIBUTE_SUBJECT:
        return Attribute.SUBJECT;
      case ATTRIBUTE_EVENT_TYPE:
        return Attribute.EVENT_TYPE;
      case ATTRIBUTE_TAG:
        return Attribute.TAG;
      default:
        throw new EvidentSourceException(
            ErrorCode.INVALID_SELECTOR,
            "a selector's attribute must be one of ATTRIBUTE_STREAM, ATTRIBUTE_SUBJECT,"
                + " ATTRIBUTE_EVENT_TYPE, ATTRIBUTE_TAG, was "
                + a);
    }
  }

  static io.evidentsource.api.v1.EventSelector selector(EventSelector s) {
    var b = io.evidentsource.api.v1.EventSelector.newBuilder();
    if (s instanceof EventSelector.Equals) {
      var eq = (EventSelector.Equals) s;
      var m =
          io.evidentsource.api.v1.EventSelector.Equals.newBuilder()
              .setAttribute(attribute(eq.attribute()));
      if (eq.value() != null) {
        m.setValue(eq.value());
      }
      b.setEquals(m);
    } else if (s instanceof EventSelector.StartsWith) {
      var sw = (EventSelector.StartsWith) s;
      b.setStartsWith(
          io.evidentsource.api.v1.EventSelector.StartsWith.newBuilder()
              .setAttribute(attribute(sw.attribute()))
              .setPrefix(sw.prefix()));
    } else if (s instanceof EventSelector.And) {
      b.setAnd(group(((EventSelector.And) s).selectors()));
    } else if (s instanceof EventSelector.Or) {
      b.setOr(group(((EventSelector.Or) s).selectors()));
    } else {
      b.setAny(io.evidentsource.api.v1.EventSelector.AnyEvent.getDefaultInstance());
    }
    return b.build();
  }

  private static io.evidentsource.api.v1.EventSelector.Selectors group(List<EventSelector> list) {
    var g = io.evidentsource.api.v1.EventSelector.Selectors.newBuilder();
    for (var s : list) {
      g.addSelectors(selector(s));
    }
    return g.build();
  }

  private static io.evidentsource.api.v1.Attribute attribute(Attribute a) {
    return switch (a) {
      case STREAM -> io.evidentsource.api.v1.Attribute.ATTRIBUTE_STREAM;
      case SUBJECT -> io.evidentsource.api.v1.Attribute.ATTRIBUTE_SUBJECT;
      case EVENT_TYPE -> io.evidentsource.api.v1.Attribute.ATTRIBUTE_EVENT_TYPE;
      case TAG -> io.evidentsource.api.v1.Attribute.ATTRIBUTE_TAG;
    };
  }

  /** The selector of a query or subscription: the tree, the text form, or (neither) any event. */
  static EventSelector selector(
      boolean hasTree, io.evidentsource.api.v1.EventSelector tree, String text) {
    if (hasTree && !text.isEmpty()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "give either 'selector' or 'selector_text', not both",
          Map.of("parameter", "selector_text"));
    }
    if (hasTree) {
      return selector(tree);
    }
    return text.isEmpty() ? EventSelector.any() : SelectorText.parse(text);
  }

  static AppendCondition condition(io.evidentsource.api.v1.AppendCondition c) {
    switch (c.getKindCase()) {
      case MAX:
        return AppendCondition.max(selector(c.getMax().getSelector()), c.getMax().getRevision());
      case MIN:
        return AppendCondition.min(selector(c.getMin().getSelector()), c.getMin().getRevision());
      case RANGE:
        var r = c.getRange();
        return AppendCondition.range(selector(r.getSelector()), r.getStart(), r.getEnd());
      default:
        throw new EvidentSourceException(
            ErrorCode.INVALID_CONDITION, "a condition needs one of max, min, range");
    }
  }

  static io.evidentsource.api.v1.AppendCondition condition(AppendCondition c) {
    var b = io.evidentsource.api.v1.AppendCondition.newBuilder();
    if (c instanceof AppendCondition.Max) {
      var m = (AppendCondition.Max) c;
      b.setMax(
          io.evidentsource.api.v1.AppendCondition.Max.newBuilder()
              .setSelector(selector(m.selector()))
              .setRevision(m.revision()));
    } else if (c instanceof AppendCondition.Min) {
      var m = (AppendCondition.Min) c;
      b.setMin(
          io.evidentsource.api.v1.AppendCondition.Min.newBuilder()
              .setSelector(selector(m.selector()))
              .setRevision(m.revision()));
    } else {
      var r = (AppendCondition.Range) c;
      b.setRange(
          io.evidentsource.api.v1.AppendCondition.Range.newBuilder()
              .setSelector(selector(r.selector()))
              .setStart(r.start())
              .setEnd(r.end()));
    }
    return b.build();
  }

  static io.evidentsource.api.v1.FailedConditions failedConditions(ConditionFailedException e) {
    var b = io.evidentsource.api.v1.FailedConditions.newBuilder().setHeadRevision(e.headRevision());
    for (var f : e.failures()) {
      b.addFailedConditions(
          io.evidentsource.api.v1.FailedCondition.newBuilder()
              .setCondition(condition(f.condition()))
              .setActualRevision(f.actualRevision()));
    }
    return b.build();
  }

  static Transaction transaction(io.evidentsource.api.v1.TransactRequest request) {
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
    for (var c : request.getConditionsList()) {
      conditions.add(condition(c));
    }
    return new Transaction(id, events, conditions);
  }

  static EventQuery query(QueryEventsRequest r) {
    int limit = r.getLimit() == 0 ? EventQuery.DEFAULT_LIMIT : r.getLimit();
    return new EventQuery(
        selector(r.hasSelector(), r.getSelector(), r.getSelectorText()),
        r.hasRevision() ? r.getRevision() : null,
        r.hasAsOfTransactionTime() ? instant(r.getAsOfTransactionTime()) : null,
        r.hasAsOfEffectiveTime() ? instant(r.getAsOfEffectiveTime()) : null,
        r.getFromRevision() == 0 ? 1 : r.getFromRevision(),
        r.hasToRevision() ? r.getToRevision() : null,
        r.getDirection() == io.evidentsource.api.v1.Direction.DIRECTION_BACKWARD
            ? Direction.BACKWARD
            : Direction.FORWARD,
        r.getOrder() == io.evidentsource.api.v1.Order.ORDER_EFFECTIVE_TIME
            ? Order.EFFECTIVE_TIME
            : Order.REVISION,
        limit,
        r.getPageToken().isEmpty() ? null : r.getPageToken());
  }

  private static CloudEventAttributeValue string(String value) {
    return CloudEventAttributeValue.newBuilder().setCeString(value).build();
  }

  private static EvidentSourceException invalid(int index, String attribute, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_ATTRIBUTE,
        "event " + index + ": " + detail,
        Map.of("index", index, "attribute", attribute));
  }
}
