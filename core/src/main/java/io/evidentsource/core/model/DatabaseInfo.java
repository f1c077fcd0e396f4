package io.evidentsource.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A database as the catalog describes it.
 *
 * @param name the database name
 * @param generation distinguishes this database from an earlier, deleted one of the same name;
 *     starts at 1 and grows with each re-creation
 * @param createdAt when this generation was created
 * @param revision the head revision: the number of events stored (0 when empty)
 * @param revisionTime the recorded time of the head revision, or {@code createdAt} when empty
 */
public record DatabaseInfo(
    DatabaseName name, long generation, Instant createdAt, long revision, Instant revisionTime) {
  public DatabaseInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(revisionTime, "revisionTime");
    if (generation < 1) {
      throw new IllegalArgumentException("generation must be >= 1, was " + generation);
    }
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be >= 0, was " + revision);
    }
  }
}
