package io.evidentsource.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A CloudEvents 1.0 event as a client sends it (specversion is always {@code 1.0}). Values are kept
 * exactly as sent; {@link EventValidator} checks them against the spec and the limits.
 *
 * @param id the {@code id} attribute; unique per ({@code source}) within a database
 * @param source the {@code source} attribute, which is also the event's stream
 * @param type the {@code type} attribute
 * @param subject the {@code subject} attribute, or null when absent
 * @param time the {@code time} attribute (the effective time), or null when absent
 * @param dataContentType the datacontenttype attribute, or null
 * @param dataSchema the dataschema attribute, or null
 * @param extensions extension attributes by name, in the order sent; values are {@link String},
 *     {@link Boolean} or {@link Integer} (CloudEvents type system §Type System)
 * @param data the event data, or null when absent
 */
public record Event(
    String id,
    String source,
    String type,
    @Nullable String subject,
    @Nullable EventTime time,
    @Nullable String dataContentType,
    @Nullable String dataSchema,
    Map<String, Object> extensions,
    @Nullable EventData data) {

  /** The CloudEvents spec version every stored event has. */
  public static final String SPEC_VERSION = "1.0";

  /** The name of the DCB tags extension (docs/data-model.md#streams-subjects-and-tags). */
  public static final String TAGS_EXTENSION = "tags";

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(type, "type");
    extensions =
        extensions.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /** The stream of this event: its {@code source}. */
  public String stream() {
    return source;
  }

  /** The tags of the {@code tags} extension, trimmed and de-duplicated, in first-seen order. */
  public List<String> tags() {
    return extensions.get(TAGS_EXTENSION) instanceof String s ? Tags.parse(s) : List.of();
  }

  /** A builder for tests, tools and examples. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this event's values. */
  public Builder toBuilder() {
    var b =
        new Builder()
            .id(id)
            .source(source)
            .type(type)
            .subject(subject)
            .time(time)
            .dataContentType(dataContentType)
            .dataSchema(dataSchema)
            .data(data);
    extensions.forEach(b::extension);
    return b;
  }

  /** Mutable builder of {@link Event}s; {@link #build()} does not validate. */
  public static final class Builder {
    private @Nullable String id;
    private @Nullable String source;
    private @Nullable String type;
    private @Nullable String subject;
    private @Nullable EventTime time;
    private @Nullable String dataContentType;
    private @Nullable String dataSchema;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private @Nullable EventData data;

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

    public Builder time(@Nullable EventTime time) {
      this.time = time;
      return this;
    }

    /** Sets {@code time} from RFC 3339 text. */
    public Builder time(String rfc3339) {
      this.time = EventTime.parse(rfc3339);
      return this;
    }

    public Builder dataContentType(@Nullable String dataContentType) {
      this.dataContentType = dataContentType;
      return this;
    }

    public Builder dataSchema(@Nullable String dataSchema) {
      this.dataSchema = dataSchema;
      return this;
    }

    public Builder extension(String name, Object value) {
      extensions.put(name, value);
      return this;
    }

    /** Sets the {@code tags} extension to the comma-joined tags. */
    public Builder tags(String... tags) {
      return extension(TAGS_EXTENSION, String.join(",", tags));
    }

    public Builder data(@Nullable EventData data) {
      this.data = data;
      return this;
    }

    /** Sets JSON data and {@code datacontenttype: application/json}. */
    public Builder jsonData(String json) {
      this.dataContentType = "application/json";
      this.data = EventData.Json.of(json);
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
          dataSchema,
          extensions,
          data);
    }
  }
}
