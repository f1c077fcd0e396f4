package io.evidentsource.client;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A state view's state as read (docs/data-model.md#state-views-and-state-changes; REST {@code GET
 * .../state-views/{name}[/versions/{v}]}).
 *
 * @param database the database
 * @param name the view's name
 * @param version the version that folded it
 * @param revision the revision the view was read at
 * @param lastModifiedRevision the revision of the last event folded into it, 0 when none
 * @param lastModifiedTime that event's recorded time, or null when none
 * @param contentType the view's content type, e.g. {@code application/json}
 * @param content the state's bytes; empty when no event matched
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the content (below)
public record StateViewState(
    String database,
    String name,
    int version,
    long revision,
    long lastModifiedRevision,
    @Nullable Instant lastModifiedTime,
    String contentType,
    byte[] content) {
  public StateViewState {
    content = content.clone();
  }

  /** The content as UTF-8 text (JSON for a JSON view); empty when the view has no state. */
  public String contentText() {
    return new String(content, StandardCharsets.UTF_8);
  }

  /** A copy of the content. */
  @Override
  public byte[] content() {
    return content.clone();
  }

  /** Equal when every field is equal and the content holds the same bytes. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof StateViewState s
        && database.equals(s.database)
        && name.equals(s.name)
        && version == s.version
        && revision == s.revision
        && lastModifiedRevision == s.lastModifiedRevision
        && Objects.equals(lastModifiedTime, s.lastModifiedTime)
        && contentType.equals(s.contentType)
        && Arrays.equals(content, s.content);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
                database,
                name,
                version,
                revision,
                lastModifiedRevision,
                lastModifiedTime,
                contentType)
            * 31
        + Arrays.hashCode(content);
  }

  /** The fields, with the content as text for text and JSON views, else its size. */
  @Override
  public String toString() {
    return "StateViewState[database="
        + database
        + ", name="
        + name
        + ", version="
        + version
        + ", revision="
        + revision
        + ", lastModifiedRevision="
        + lastModifiedRevision
        + ", lastModifiedTime="
        + lastModifiedTime
        + ", contentType="
        + contentType
        + ", content="
        + DataText.describe(content, contentType)
        + "]";
  }
}
