package io.evidentsource.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A CloudEvent (specversion 1.0) as the client sends and receives it.
 *
 * @param id the {@code id}; unique per source within a database
 * @param source the {@code source}, which is the event's stream
 * @param type the {@code type}
 * @param subject the {@code subject}, or null
 * @param time the {@code time} as RFC 3339 text (offset and fraction kept), or null
 * @param dataContentType the datacontenttype attribute, or null
 * @param extensions extension attributes: {@link String}, {@link Boolean} or {@link Integer} values
 * @param data the data bytes (UTF-8 text for JSON and text types), or null
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and toString use the bytes (below)
public record Event(
    String id,
    String source,
    String type,
    @Nullable String subject,
    @Nullable String time,
    @Nullable String dataContentType,
    Map<String, Object> extensions,
    byte @Nullable [] data) {

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(type, "type");
    if (time != null) {
      try {
        java.time.OffsetDateTime.parse(time.replace('t', 'T').replace('z', 'Z'));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException(
            "time must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, was '" + time + "'",
            e);
      }
    }
    extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /** The data as UTF-8 text, or null. */
  public @Nullable String dataText() {
    return data == null ? null : new String(data, StandardCharsets.UTF_8);
  }

  /** Whether the data is text (JSON or a {@code text/*} type) rather than binary. */
  boolean textual() {
    return DataText.textual(dataContentType);
  }

  /** Equal when every attribute is equal and the data holds the same bytes. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Event e
        && id.equals(e.id)
        && source.equals(e.source)
        && type.equals(e.type)
        && Objects.equals(subject, e.subject)
        && Objects.equals(time, e.time)
        && Objects.equals(dataContentType, e.dataContentType)
        && extensions.equals(e.extensions)
        && Arrays.equals(data, e.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, source, type, subject, time, dataContentType, extensions) * 31
        + Arrays.hashCode(data);
  }

  /**
   * The attributes, and the data as text when it is text or JSON (abbreviated after 256
   * characters), else its size and content type, e.g. {@code data=<2048 bytes, image/png>}.
   */
  @Override
  public String toString() {
    return "Event[id="
        + id
        + ", source="
        + source
        + ", type="
        + type
        + ", subject="
        + subject
        + ", time="
        + time
        + ", dataContentType="
        + dataContentType
        + ", extensions="
        + extensions
        + ", data="
        + DataText.describe(data, dataContentType)
        + "]";
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Mutable builder; {@link #build()} checks only that id, source and type are set. */
  public static final class Builder {
    private @Nullable String id;
    private @Nullable String source;
    private @Nullable String type;
    private @Nullable String subject;
    private @Nullable String time;
    private @Nullable String dataContentType;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private byte @Nullable [] data;

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder source(String source) {
      this.source = source;
      return this;
    }

    public Builder type(String type) {
      this.type = type;
      return this;
    }

    public Builder subject(@Nullable String subject) {
      this.subject = subject;
      return this;
    }

    /** RFC 3339 text, e.g. {@code 2024-05-01T12:00:00.5+02:00}. */
    public Builder time(@Nullable String time) {
      this.time = time;
      return this;
    }

    public Builder extension(String name, Object value) {
      extensions.put(name, value);
      return this;
    }

    /** The DCB {@code tags} extension. */
    public Builder tags(String... tags) {
      return extension("tags", String.join(",", tags));
    }

    /** JSON data with {@code datacontenttype: application/json}. */
    public Builder jsonData(String json) {
      this.dataContentType = "application/json";
      this.data = json.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /** Data with its content type (text types travel as text, others as bytes). */
    public Builder data(String contentType, byte[] data) {
      this.dataContentType = contentType;
      this.data = data.clone();
      return this;
    }

    public Event build() {
      return new Event(
          Objects.requireNonNull(id, "id"),
          Objects.requireNonNull(source, "source"),
          Objects.requireNonNull(type, "type"),
          subject,
          time,
          dataContentType,
          extensions,
          data);
    }
  }
}
