package io.evidentsource.core.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The {@code data} of a CloudEvent in one of the three forms the CloudEvents JSON format knows
 * (CloudEvents JSON format §3.1): a JSON value, a text string, or binary bytes.
 */
public sealed interface EventData {

  /** Size in bytes counted toward the event size limit: UTF-8 bytes of JSON or text, raw bytes. */
  int sizeBytes();

  /**
   * Calls the function for this data's form and returns its result. This is the one way to dispatch
   * on the kind: each kind has its own parameter, so a new kind breaks the build of every caller
   * until it handles it (Java 17 has no pattern {@code switch}).
   */
  <R> R match(Function<Json, R> json, Function<Text, R> text, Function<Binary, R> binary);

  /**
   * A JSON value, kept as its compact UTF-8 text so it is returned exactly as stored.
   *
   * <p>{@code wellFormed} says that {@code utf8} is known to be well-formed UTF-8 (RFC 3629), so
   * that writers may copy the bytes into a UTF-8 document without checking them again. JSON data is
   * read and written many times for each time it is stored, so the check is made once, where the
   * bytes come from: text encoded from a {@link String} ({@link #of}), JSON written by the JSON
   * readers' encoder, data a storage adapter wrote with the mark after the same check. Bytes of
   * unknown provenance (the one-argument constructor: an embedded caller's bytes, data stored
   * before the mark existed) are not marked, and writers check them as before. It is not part of
   * the value: {@code equals} and {@code hashCode} compare the bytes alone.
   *
   * @param utf8 the JSON text (any JSON value except {@code null})
   * @param wellFormed true only when {@code utf8} is known to be well-formed UTF-8
   */
  @SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the text (below)
  record Json(byte[] utf8, boolean wellFormed) implements EventData {
    /** JSON data of unknown provenance: writers check that its bytes are well-formed UTF-8. */
    public Json(byte[] utf8) {
      this(utf8, false);
    }

    /** Creates JSON data from its text; UTF-8 encoded from a {@code String}, it is well-formed. */
    public static Json of(String json) {
      return new Json(json.getBytes(StandardCharsets.UTF_8), true);
    }

    /** JSON data whose bytes are checked here, once: marked well-formed when they are. */
    public static Json checked(byte[] utf8) {
      return new Json(utf8, Utf8.firstMalformed(utf8, 0, utf8.length) < 0);
    }

    /** The JSON text. */
    public String text() {
      return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public int sizeBytes() {
      return utf8.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Json other && Arrays.equals(utf8, other.utf8);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(utf8);
    }

    @Override
    public String toString() {
      return "Json[" + text() + "]";
    }

    @Override
    public <R> R match(Function<Json, R> json, Function<Text, R> text, Function<Binary, R> binary) {
      return json.apply(this);
    }
  }

  /**
   * Text data, returned as the same string it was sent as.
   *
   * @param text the string
   */
  record Text(String text) implements EventData {
    @Override
    public int sizeBytes() {
      return Utf8.length(text);
    }

    @Override
    public <R> R match(Function<Json, R> json, Function<Text, R> text, Function<Binary, R> binary) {
      return text.apply(this);
    }
  }

  /**
   * Binary data ({@code data_base64} in JSON, the raw body in HTTP binary mode).
   *
   * @param bytes the raw bytes
   */
  @SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the bytes (below)
  record Binary(byte[] bytes) implements EventData {
    @Override
    public int sizeBytes() {
      return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Binary other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Binary[" + bytes.length + " bytes]";
    }

    @Override
    public <R> R match(Function<Json, R> json, Function<Text, R> text, Function<Binary, R> binary) {
      return binary.apply(this);
    }
  }
}
