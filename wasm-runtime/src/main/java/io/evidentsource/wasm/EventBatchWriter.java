package io.evidentsource.wasm;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.InstantText;
import io.evidentsource.core.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes the {@code events} input of {@code evidentsource_evolve} (docs/wasm-abi.md#the-contract: a
 * JSON array of stored CloudEvents with {@code revision} and {@code recordedtime}) straight into
 * one reusable byte buffer, so a fold does not build a JSON generator, a string and an array per
 * event.
 *
 * <p>The output is the CloudEvents JSON format (CloudEvents JSON format §3) with the attributes in
 * the order {@code CloudEventJson} writes them; {@code GuestEventsTest} checks that both parse to
 * the same JSON for every kind of event. Strings are escaped per RFC 8259 §7: quote, backslash and
 * control characters; other characters are written as UTF-8. Not thread-safe: one writer per call.
 */
final class EventBatchWriter {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SPEC_VERSION = ascii("{\"specversion\":\"" + Event.SPEC_VERSION);
  private static final byte[] ID = ascii("\",\"id\":");
  private static final byte[] SOURCE = ascii(",\"source\":");
  private static final byte[] TYPE = ascii(",\"type\":");
  private static final byte[] SUBJECT = ascii(",\"subject\":");
  private static final byte[] TIME = ascii(",\"time\":");
  private static final byte[] DATA_CONTENT_TYPE = ascii(",\"datacontenttype\":");
  private static final byte[] DATA_SCHEMA = ascii(",\"dataschema\":");
  private static final byte[] REVISION = ascii(",\"revision\":");
  private static final byte[] RECORDED_TIME = ascii(",\"recordedtime\":");
  private static final byte[] DATA = ascii(",\"data\":");
  private static final byte[] DATA_BASE64 = ascii(",\"data_base64\":\"");

  private byte[] buffer;
  private int length;
  private int events;
  private @Nullable Instant lastRecordedTime;
  private final byte[] lastRecordedTimeText = new byte[InstantText.MAX_LENGTH];
  private int lastRecordedTimeLength;

  /**
   * @param initialCapacity the buffer's first size in bytes; it grows as needed
   */
  EventBatchWriter(int initialCapacity) {
    buffer = new byte[Math.max(64, initialCapacity)];
  }

  /** Starts a new array, forgetting what was written before. */
  void start() {
    length = 0;
    events = 0;
    put((byte) '[');
  }

  /** How many events the current array holds. */
  int events() {
    return events;
  }

  /** The bytes written so far, the closing bracket of {@link #finish} included once called. */
  int length() {
    return length;
  }

  /** The buffer holding {@link #length()} bytes of output; valid until the next write. */
  byte[] buffer() {
    return buffer;
  }

  /**
   * Appends one event to the array.
   *
   * @return the length before the event, for {@link #removeFrom}
   */
  int append(StoredEvent stored) {
    int mark = length;
    if (events > 0) {
      put((byte) ',');
    }
    Event e = stored.event();
    put(SPEC_VERSION);
    put(ID);
    string(e.id());
    put(SOURCE);
    string(e.source());
    put(TYPE);
    string(e.type());
    if (e.subject() != null) {
      put(SUBJECT);
      string(e.subject());
    }
    if (e.time() != null) {
      put(TIME);
      string(e.time().text());
    }
    if (e.dataContentType() != null) {
      put(DATA_CONTENT_TYPE);
      string(e.dataContentType());
    }
    if (e.dataSchema() != null) {
      put(DATA_SCHEMA);
      string(e.dataSchema());
    }
    for (Map.Entry<String, Object> ext : e.extensions().entrySet()) {
      String name = ext.getKey();
      if (name.equals("revision") || name.equals("recordedtime")) {
        continue; // the server's values win, as in CloudEventJson
      }
      put((byte) ',');
      string(name);
      put((byte) ':');
      Object v = ext.getValue();
      if (v instanceof Integer || v instanceof Long) {
        number(((Number) v).longValue());
      } else if (v instanceof Boolean) {
        put(ascii(v.toString()));
      } else {
        string(String.valueOf(v));
      }
    }
    put(REVISION);
    number(stored.revision());
    put(RECORDED_TIME);
    recordedTime(stored.recordedTime());
    EventData data = e.data();
    if (data != null) {
      data.match(
          json -> put(DATA).put(json.utf8()),
          text -> put(DATA).string(text.text()),
          binary ->
              put(DATA_BASE64).put(Base64.getEncoder().encode(binary.bytes())).put((byte) '"'));
    }
    put((byte) '}');
    events++;
    return mark;
  }

  /**
   * Drops the event appended at {@code mark} (the value {@link #append} returned), the last one.
   */
  void removeFrom(int mark) {
    length = mark;
    events--;
  }

  /** Closes the array. */
  void finish() {
    put((byte) ']');
  }

  /**
   * Writes {@code "} + {@link Instant#toString()} + {@code "} ({@link InstantText}). Transactions
   * share one recorded time, so consecutive events copy the text this writer wrote last.
   */
  private void recordedTime(Instant recordedTime) {
    if (!recordedTime.equals(lastRecordedTime)) {
      lastRecordedTimeLength = InstantText.write(recordedTime, lastRecordedTimeText, 0);
      lastRecordedTime = recordedTime;
    }
    ensure(length + lastRecordedTimeLength + 2);
    buffer[length++] = '"';
    System.arraycopy(lastRecordedTimeText, 0, buffer, length, lastRecordedTimeLength);
    length += lastRecordedTimeLength;
    buffer[length++] = '"';
  }

  private EventBatchWriter string(String s) {
    ensure(length + s.length() * 6 + 2);
    byte[] b = buffer;
    int at = length;
    b[at++] = '"';
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          b[at++] = (byte) c;
        } else {
          at = escape(b, at, c);
        }
      } else if (c < 0x800) {
        b[at++] = (byte) (0xc0 | (c >> 6));
        b[at++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[at++] = (byte) (0xf0 | (cp >> 18));
        b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        b[at++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        at = escape(b, at, c); // a lone surrogate has no UTF-8 form; JSON can still carry it
      } else {
        b[at++] = (byte) (0xe0 | (c >> 12));
        b[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        b[at++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    b[at++] = '"';
    length = at;
    return this;
  }

  private void number(long n) {
    ensure(length + 20);
    if (n < 0) {
      put(ascii(Long.toString(n)));
      return;
    }
    int digits = 1;
    for (long rest = n / 10; rest > 0; rest /= 10) {
      digits++;
    }
    for (int i = length + digits - 1; i >= length; i--) {
      buffer[i] = (byte) ('0' + (n % 10));
      n /= 10;
    }
    length += digits;
  }

  private static int escape(byte[] b, int at, char c) {
    b[at++] = '\\';
    switch (c) {
      case '"' -> b[at++] = '"';
      case '\\' -> b[at++] = '\\';
      case '\n' -> b[at++] = 'n';
      case '\r' -> b[at++] = 'r';
      case '\t' -> b[at++] = 't';
      default -> {
        b[at++] = 'u';
        b[at++] = HEX[(c >> 12) & 0xf];
        b[at++] = HEX[(c >> 8) & 0xf];
        b[at++] = HEX[(c >> 4) & 0xf];
        b[at++] = HEX[c & 0xf];
      }
    }
    return at;
  }

  private EventBatchWriter put(byte b) {
    ensure(length + 1);
    buffer[length++] = b;
    return this;
  }

  private EventBatchWriter put(byte[] bytes) {
    ensure(length + bytes.length);
    System.arraycopy(bytes, 0, buffer, length, bytes.length);
    length += bytes.length;
    return this;
  }

  private void ensure(int capacity) {
    if (capacity > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(capacity, buffer.length * 2));
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
