package io.evidentsource.storage.local;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import java.time.Instant;
import java.util.Map;

/**
 * An event's value in the {@code events} column family, keeping every attribute exactly: {@code
 * time} as its RFC 3339 text plus the instant it denotes, extensions in order with their type, data
 * as JSON bytes, text or binary bytes, and the recorded time with nanosecond precision.
 *
 * <p>Layout: format byte (1), recorded time, {@code id}, {@code source}, {@code type}, optional
 * {@code subject}, optional {@code time} (text, instant), optional {@code datacontenttype},
 * optional {@code dataschema}, extension count then (name, kind S|B|I, value) each, data kind (0
 * none, 1 JSON, 2 text, 3 binary) then its bytes.
 *
 * <p>JSON data read back is not marked well-formed ({@link EventData.Json#wellFormed()}): the
 * layout has no place for the mark, and a new data kind would make the database unreadable to an
 * earlier version of the server (no downgrade). The JSON writers check it where they write it.
 */
final class EventCodec {
  private static final int VERSION = 1;
  private static final int EXT_STRING = 'S';
  private static final int EXT_BOOLEAN = 'B';
  private static final int EXT_INTEGER = 'I';
  private static final int DATA_NONE = 0;
  private static final int DATA_JSON = 1;
  private static final int DATA_TEXT = 2;
  private static final int DATA_BINARY = 3;

  private EventCodec() {}

  static byte[] encode(Event e, Instant recordedTime) {
    int size = 128 + (e.data() == null ? 0 : e.data().sizeBytes());
    var out = new Codec.Out(size).u8(VERSION).instant(recordedTime);
    out.str(e.id()).str(e.source()).str(e.type()).optStr(e.subject());
    if (e.time() == null) {
      out.u8(0);
    } else {
      out.u8(1).str(e.time().text()).instant(e.time().instant());
    }
    out.optStr(e.dataContentType()).optStr(e.dataSchema());
    out.i32(e.extensions().size());
    for (Map.Entry<String, Object> ext : e.extensions().entrySet()) {
      out.str(ext.getKey());
      Object value = ext.getValue();
      if (value instanceof Boolean b) {
        out.u8(EXT_BOOLEAN).u8(b ? 1 : 0);
      } else if (value instanceof Integer i) {
        out.u8(EXT_INTEGER).i32(i);
      } else if (value instanceof String s) {
        out.u8(EXT_STRING).str(s);
      } else {
        throw new IllegalArgumentException(
            "extension '" + ext.getKey() + "' has unsupported type " + value.getClass().getName());
      }
    }
    EventData data = e.data();
    if (data == null) {
      out.u8(DATA_NONE);
    } else {
      data.match(
          json -> out.u8(DATA_JSON).blob(json.utf8()),
          text -> out.u8(DATA_TEXT).str(text.text()),
          binary -> out.u8(DATA_BINARY).blob(binary.bytes()));
    }
    return out.toBytes();
  }

  static StoredEvent decode(long revision, byte[] value) {
    var in = new Codec.In(value);
    int version = in.u8();
    if (version != VERSION) {
      throw new IllegalStateException(
          "event at revision " + revision + " has unknown encoding version " + version);
    }
    Instant recorded = in.instant();
    var b = Event.builder().id(in.str()).source(in.str()).type(in.str()).subject(in.optStr());
    if (in.u8() == 1) {
      String text = in.str();
      b.time(new EventTime(text, in.instant()));
    }
    b.dataContentType(in.optStr()).dataSchema(in.optStr());
    int extensions = in.i32();
    for (int i = 0; i < extensions; i++) {
      String name = in.str();
      int kind = in.u8();
      Object v =
          switch (kind) {
            case EXT_BOOLEAN -> in.u8() != 0;
            case EXT_INTEGER -> in.i32();
            case EXT_STRING -> in.str();
            default ->
                throw new IllegalStateException(
                    "event at revision " + revision + " has unknown extension kind " + kind);
          };
      b.extension(name, v);
    }
    int dataKind = in.u8();
    switch (dataKind) {
      case DATA_NONE -> {}
      case DATA_JSON -> b.data(new EventData.Json(in.blob()));
      case DATA_TEXT -> b.data(new EventData.Text(in.str()));
      case DATA_BINARY -> b.data(new EventData.Binary(in.blob()));
      default ->
          throw new IllegalStateException(
              "event at revision " + revision + " has unknown data kind " + dataKind);
    }
    return new StoredEvent(revision, recorded, b.build());
  }
}
