package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Maps a stored event to its DynamoDB item and back, keeping every attribute exactly: {@code time}
 * as its RFC 3339 text, extensions in order with their type (S string, BOOL boolean, N integer),
 * data as JSON bytes, text or binary bytes, and the recorded time with full (nanosecond) precision.
 *
 * <p>Item: {@code db} (S, {@code name#generation}), {@code rev} (N), {@code tx} (S), {@code rt} (S,
 * recorded time), {@code id}, {@code src}, {@code type} (S), optional {@code subj}, {@code time},
 * {@code dct}, {@code dsch} (S), {@code ext} (L of [name, value] pairs), optional {@code dk} (S:
 * {@code json}|{@code text}|{@code binary}) with {@code data} (B for json and binary, S for text).
 */
final class EventItems {
  private EventItems() {}

  static String partition(String database, long generation) {
    return database + "#" + generation;
  }

  static Map<String, AttributeValue> toItem(
      String partition, long revision, UUID transactionId, Instant recordedTime, Event e) {
    var item = new HashMap<String, AttributeValue>();
    item.put(DynamoDbSchema.EV_PK, s(partition));
    item.put(DynamoDbSchema.EV_SK, n(revision));
    item.put("tx", s(transactionId.toString()));
    item.put("rt", s(recordedTime.toString()));
    item.put("id", s(e.id()));
    item.put("src", s(e.source()));
    item.put("type", s(e.type()));
    if (e.subject() != null) {
      item.put("subj", s(e.subject()));
    }
    if (e.time() != null) {
      item.put("time", s(e.time().text()));
    }
    if (e.dataContentType() != null) {
      item.put("dct", s(e.dataContentType()));
    }
    if (e.dataSchema() != null) {
      item.put("dsch", s(e.dataSchema()));
    }
    if (!e.extensions().isEmpty()) {
      var ext = new ArrayList<AttributeValue>(e.extensions().size());
      e.extensions().forEach((name, value) -> ext.add(l(s(name), extensionValue(name, value))));
      item.put("ext", AttributeValue.fromL(ext));
    }
    EventData data = e.data();
    if (data != null) {
      Map.Entry<String, AttributeValue> kindAndValue =
          data.match(
              json -> Map.entry("json", AttributeValue.fromB(SdkBytes.fromByteArray(json.utf8()))),
              text -> Map.entry("text", s(text.text())),
              binary ->
                  Map.entry(
                      "binary", AttributeValue.fromB(SdkBytes.fromByteArray(binary.bytes()))));
      item.put("dk", s(kindAndValue.getKey()));
      item.put("data", kindAndValue.getValue());
    }
    return item;
  }

  /**
   * The stored event an item of {@code table} holds ({@link #toItem} reversed).
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code INTERNAL}, naming the table,
   *     the item's key and the attribute, when a required attribute is missing or malformed
   */
  static StoredEvent fromItem(String table, Map<String, AttributeValue> item) {
    var r = ItemReader.of(table, item, DynamoDbSchema.EV_PK, DynamoDbSchema.EV_SK);
    var b =
        Event.builder()
            .id(r.string("id"))
            .source(r.string("src"))
            .type(r.string("type"))
            .subject(r.optionalString("subj"))
            .dataContentType(r.optionalString("dct"))
            .dataSchema(r.optionalString("dsch"));
    String time = r.optionalString("time");
    if (time != null) {
      b.time(EventTime.parse(time));
    }
    List<AttributeValue> ext = r.optionalList("ext");
    if (ext != null) {
      for (AttributeValue pair : ext) {
        List<AttributeValue> nameAndValue = pair.l();
        if (pair.type() != AttributeValue.Type.L
            || nameAndValue.size() != 2
            || nameAndValue.get(0).type() != AttributeValue.Type.S) {
          throw r.invalid("ext", "holds " + pair + ", not a [name (S), value] pair");
        }
        String name = nameAndValue.get(0).s();
        AttributeValue v = nameAndValue.get(1);
        Object value =
            switch (v.type()) {
              case BOOL -> v.bool();
              case N -> Integer.valueOf(v.n());
              case S -> v.s();
              default ->
                  throw r.invalid(
                      "ext", "holds extension '" + name + "' of unsupported type " + v.type());
            };
        b.extension(name, value);
      }
    }
    String kind = r.optionalString("dk");
    if (kind != null) {
      switch (kind) {
        case "json" -> b.data(new EventData.Json(r.bytes("data")));
        case "text" -> b.data(new EventData.Text(r.string("data")));
        case "binary" -> b.data(new EventData.Binary(r.bytes("data")));
        default -> throw r.invalid("dk", "holds unknown data kind '" + kind + "'");
      }
    }
    return new StoredEvent(r.number(DynamoDbSchema.EV_SK), r.instant("rt"), b.build());
  }

  private static AttributeValue extensionValue(String name, Object value) {
    if (value instanceof Boolean bool) {
      return AttributeValue.fromBool(bool);
    }
    if (value instanceof Integer i) {
      return n(i);
    }
    if (value instanceof String str) {
      return s(str);
    }
    throw new IllegalArgumentException(
        "extension '" + name + "' has unsupported type " + value.getClass().getName());
  }

  static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }

  static AttributeValue l(AttributeValue... values) {
    return AttributeValue.fromL(List.of(values));
  }
}
