package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
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
 * {@code json}|{@code text}|{@code binary}) with {@code data} (B for json and binary, S for text),
 * or, for data kept in S3 by {@link EventDataBucket}, with {@code dref} (S: the SHA-256 of the
 * bytes) instead of {@code data}.
 */
final class EventItems {
  private EventItems() {}

  static String partition(String database, long generation) {
    return database + "#" + generation;
  }

  static Map<String, AttributeValue> toItem(
      String partition, long revision, UUID transactionId, Instant recordedTime, Event e) {
    return toItem(partition, revision, transactionId, recordedTime, e, null);
  }

  /**
   * The item of an event; {@code dataRef}, when given, is the SHA-256 of its data stored in S3 and
   * replaces the bytes.
   */
  static Map<String, AttributeValue> toItem(
      String partition,
      long revision,
      UUID transactionId,
      Instant recordedTime,
      Event e,
      @Nullable String dataRef) {
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
    if (data != null && dataRef != null) {
      item.put("dk", s(kind(data)));
      item.put(DATA_REF, s(dataRef));
    } else if (data != null) {
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

  /** The attribute holding the S3 digest of data kept outside the item. */
  static final String DATA_REF = "dref";

  private static String kind(EventData data) {
    return data.match(json -> "json", text -> "text", binary -> "binary");
  }

  /** Reads bytes stored outside an item by their SHA-256. */
  interface DataLoader {
    byte[] load(String sha256);
  }

  static StoredEvent fromItem(Map<String, AttributeValue> item) {
    return fromItem(
        item,
        digest -> {
          throw new IllegalStateException("event data " + digest + " is in S3; no bucket given");
        });
  }

  static StoredEvent fromItem(Map<String, AttributeValue> item, DataLoader loader) {
    var b =
        Event.builder()
            .id(item.get("id").s())
            .source(item.get("src").s())
            .type(item.get("type").s())
            .subject(text(item, "subj"))
            .dataContentType(text(item, "dct"))
            .dataSchema(text(item, "dsch"));
    String time = text(item, "time");
    if (time != null) {
      b.time(EventTime.parse(time));
    }
    AttributeValue ext = item.get("ext");
    if (ext != null) {
      for (AttributeValue pair : ext.l()) {
        AttributeValue v = pair.l().get(1);
        Object value;
        if (v.bool() != null) {
          value = v.bool();
        } else if (v.n() != null) {
          value = Integer.valueOf(v.n());
        } else {
          value = v.s();
        }
        b.extension(pair.l().get(0).s(), value);
      }
    }
    String kind = text(item, "dk");
    String ref = text(item, DATA_REF);
    if (kind != null && ref != null) {
      byte[] bytes = loader.load(ref);
      switch (kind) {
        case "json" -> b.data(new EventData.Json(bytes));
        case "text" -> b.data(new EventData.Text(new String(bytes, StandardCharsets.UTF_8)));
        case "binary" -> b.data(new EventData.Binary(bytes));
        default ->
            throw new IllegalStateException("unknown data kind '" + kind + "' in event item");
      }
    } else if (kind != null) {
      AttributeValue data = item.get("data");
      switch (kind) {
        case "json" -> b.data(new EventData.Json(data.b().asByteArray()));
        case "text" -> b.data(new EventData.Text(data.s()));
        case "binary" -> b.data(new EventData.Binary(data.b().asByteArray()));
        default ->
            throw new IllegalStateException("unknown data kind '" + kind + "' in event item");
      }
    }
    return new StoredEvent(
        Long.parseLong(item.get(DynamoDbSchema.EV_SK).n()),
        Instant.parse(item.get("rt").s()),
        b.build());
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

  private static @Nullable String text(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null ? null : v.s();
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
