package io.evidentsource.api;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A CloudEvent (specversion 1.0) in plain Java types: what {@link ProtoCloudEvents} reads from and
 * writes to the CloudEvents protobuf format, and what the server's core model and the client's
 * records are converted from and to.
 *
 * @param id the {@code id}, non-empty
 * @param source the {@code source}, non-empty
 * @param type the {@code type}, non-empty
 * @param subject the {@code subject}, or null
 * @param time the {@code time} as RFC 3339 text exactly as sent (offset and fraction kept), or null
 * @param dataContentType the datacontenttype attribute, or null
 * @param dataSchema the dataschema attribute (a URI), or null
 * @param extensions extension attributes by name, in order: {@link Boolean}, {@link Integer} or
 *     {@link String} values (other values are written as their {@code toString()})
 * @param data the data, or null for none
 */
public record PlainCloudEvent(
    String id,
    String source,
    String type,
    @Nullable String subject,
    @Nullable String time,
    @Nullable String dataContentType,
    @Nullable String dataSchema,
    Map<String, Object> extensions,
    @Nullable Data data) {

  public PlainCloudEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(type, "type");
    extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /** The data of an event: text ({@code text_data}) or bytes ({@code binary_data}). */
  public sealed interface Data {

    /**
     * Calls the function for this data's form and returns its result; a new form adds a parameter,
     * so the compiler finds every caller (Java 17 has no pattern {@code switch}).
     */
    <R extends @Nullable Object> R match(Function<Text, R> text, Function<Binary, R> binary);

    /** Text data, such as JSON or a {@code text/*} type. */
    record Text(String text) implements Data {
      public Text {
        Objects.requireNonNull(text, "text");
      }

      @Override
      public <R extends @Nullable Object> R match(
          Function<Text, R> text, Function<Binary, R> binary) {
        return text.apply(this);
      }
    }

    /** Binary data, byte for byte. */
    @SuppressWarnings("ArrayRecordComponent") // equals, hashCode and toString use the bytes (below)
    record Binary(byte[] bytes) implements Data {
      public Binary {
        Objects.requireNonNull(bytes, "bytes");
      }

      @Override
      public boolean equals(@Nullable Object o) {
        return o instanceof Binary other && Arrays.equals(bytes, other.bytes);
      }

      @Override
      public int hashCode() {
        return Arrays.hashCode(bytes);
      }

      /** The size and the first bytes in hex, e.g. {@code Binary[3 bytes: 00 01 ff]}. */
      @Override
      public String toString() {
        var out = new StringBuilder("Binary[").append(bytes.length).append(" bytes");
        for (int i = 0; i < Math.min(bytes.length, 16); i++) {
          out.append(i == 0 ? ": " : " ").append(String.format("%02x", bytes[i]));
        }
        return out.append(bytes.length > 16 ? " ...]" : "]").toString();
      }

      @Override
      public <R extends @Nullable Object> R match(
          Function<Text, R> text, Function<Binary, R> binary) {
        return binary.apply(this);
      }
    }
  }
}
