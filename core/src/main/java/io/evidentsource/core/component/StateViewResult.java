package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A state view read (docs/data-model.md#state-views-and-state-changes): the folded state and where
 * it was read.
 *
 * @param database the database read
 * @param name the view's name
 * @param version the view version that folded the state
 * @param revision the revision the read is consistent at
 * @param lastModifiedRevision the highest revision folded into the state, 0 when none
 * @param lastModifiedTime the recorded time of {@code lastModifiedRevision}, or null when none
 * @param contentType the view's content type
 * @param content the state bytes (empty when no event was folded and the view kept no state)
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the content (below)
public record StateViewResult(
    DatabaseName database,
    String name,
    int version,
    long revision,
    long lastModifiedRevision,
    @Nullable Instant lastModifiedTime,
    String contentType,
    byte[] content) {
  public StateViewResult {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(contentType, "contentType");
    content = content.clone();
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  /** Whether the view has state (non-empty content). */
  public boolean hasState() {
    return content.length > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateViewResult r
        && database.equals(r.database)
        && name.equals(r.name)
        && version == r.version
        && revision == r.revision
        && lastModifiedRevision == r.lastModifiedRevision
        && Objects.equals(lastModifiedTime, r.lastModifiedTime)
        && contentType.equals(r.contentType)
        && Arrays.equals(content, r.content);
  }

  @Override
  public int hashCode() {
    return Objects.hash(database, name, version, revision, Arrays.hashCode(content));
  }

  @Override
  public String toString() {
    return "StateViewResult["
        + database
        + "/"
        + name
        + "@"
        + version
        + " revision="
        + revision
        + " lastModified="
        + lastModifiedRevision
        + " "
        + content.length
        + " bytes]";
  }
}
