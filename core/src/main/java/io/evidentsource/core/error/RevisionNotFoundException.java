package io.evidentsource.core.error;

import java.util.Map;

/**
 * {@link ErrorCode#REVISION_NOT_FOUND}: no event is stored at that revision of the database (0, or
 * beyond the head). Carries the database, the revision and the head revision (also in {@link
 * #fields()} as {@code revision} and {@code head_revision}).
 */
public final class RevisionNotFoundException extends EvidentSourceException {
  private final String database;
  private final long revision;
  private final long headRevision;

  /**
   * @param database the database name
   * @param revision the revision asked for
   * @param headRevision the database's head revision
   */
  public RevisionNotFoundException(String database, long revision, long headRevision) {
    super(
        ErrorCode.REVISION_NOT_FOUND,
        "database '"
            + database
            + "' has no revision "
            + revision
            + " (head is "
            + headRevision
            + ")",
        Map.of("revision", revision, "head_revision", headRevision));
    this.database = database;
    this.revision = revision;
    this.headRevision = headRevision;
  }

  /** The database name. */
  public String database() {
    return database;
  }

  /** The revision asked for. */
  public long revision() {
    return revision;
  }

  /** The head revision when it was asked for. */
  public long headRevision() {
    return headRevision;
  }
}
