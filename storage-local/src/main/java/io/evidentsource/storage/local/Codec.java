package io.evidentsource.storage.local;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The byte encodings of keys and values: big-endian fixed-width numbers (so keys sort by number),
 * length-prefixed UTF-8 strings, instants as seconds and nanoseconds (full precision). Private to
 * this module; {@link #FORMAT} names the version written into the data directory.
 */
final class Codec {
  /** The on-disk format version, kept in the default column family under {@code format}. */
  static final int FORMAT = 1;

  static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private Codec() {}

  /** An append-only byte buffer. */
  static final class Out {
    private final ByteArrayOutputStream bytes;

    Out(int capacity) {
      bytes = new ByteArrayOutputStream(capacity);
    }

    Out u8(int v) {
      bytes.write(v);
      return this;
    }

    Out i32(int v) {
      bytes.write(v >>> 24);
      bytes.write(v >>> 16);
      bytes.write(v >>> 8);
      bytes.write(v);
      return this;
    }

    Out i64(long v) {
      i32((int) (v >>> 32));
      return i32((int) v);
    }

    Out raw(byte[] b) {
      bytes.writeBytes(b);
      return this;
    }

    /** A length-prefixed byte string. */
    Out blob(byte[] b) {
      i32(b.length);
      return raw(b);
    }

    /** A length-prefixed UTF-8 string. */
    Out str(String s) {
      return blob(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A presence byte, then the string when present. */
    Out optStr(@Nullable String s) {
      if (s == null) {
        return u8(0);
      }
      u8(1);
      return str(s);
    }

    Out instant(Instant t) {
      i64(t.getEpochSecond());
      return i32(t.getNano());
    }

    byte[] toBytes() {
      return bytes.toByteArray();
    }
  }

  /** A reader over encoded bytes; a malformed value throws {@link IllegalStateException}. */
  static final class In {
    private final ByteBuffer buffer;

    In(byte[] bytes) {
      buffer = ByteBuffer.wrap(bytes);
    }

    int u8() {
      return buffer.get() & 0xff;
    }

    /** Whether bytes are left (a value written by a later version has more fields). */
    boolean hasRemaining() {
      return buffer.hasRemaining();
    }

    int i32() {
      return buffer.getInt();
    }

    long i64() {
      return buffer.getLong();
    }

    byte[] blob() {
      int n = buffer.getInt();
      if (n < 0 || n > buffer.remaining()) {
        throw new IllegalStateException("stored value is malformed: length " + n);
      }
      byte[] b = new byte[n];
      buffer.get(b);
      return b;
    }

    String str() {
      return new String(blob(), StandardCharsets.UTF_8);
    }

    @Nullable String optStr() {
      return u8() == 0 ? null : str();
    }

    Instant instant() {
      long seconds = i64();
      return Instant.ofEpochSecond(seconds, i32());
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code bytes} followed by a big-endian long. */
  static byte[] withLong(byte[] prefix, long v) {
    return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(v).array();
  }

  /** The big-endian long at {@code offset}. */
  static long longAt(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes, offset, 8).getLong();
  }
}
