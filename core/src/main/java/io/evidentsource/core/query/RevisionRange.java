package io.evidentsource.core.query;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The revisions a query returns, both ends inclusive, within its snapshot.
 *
 * <p>The constructor throws {@link EvidentSourceException} {@code INVALID_QUERY} naming {@code
 * from_revision} or {@code to_revision}.
 *
 * @param from the lowest revision returned, ≥ 1
 * @param to the highest revision returned, ≥ 0, or null for "up to the snapshot"
 */
public record RevisionRange(long from, @Nullable Long to) {
  public RevisionRange {
    if (from < 1) {
      throw invalid("from_revision", "'from_revision' must be >= 1, was " + from);
    }
    if (to != null && to < 0) {
      throw invalid("to_revision", "'to_revision' must be >= 0, was " + to);
    }
  }

  /** Every revision up to the snapshot. */
  public static RevisionRange all() {
    return new RevisionRange(1, null);
  }

  /** The upper bound: {@code to}, or the snapshot revision when {@code to} is null. */
  long upTo(long snapshotRevision) {
    return to == null ? snapshotRevision : to;
  }

  private static EvidentSourceException invalid(String parameter, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_QUERY, detail, Map.of("parameter", parameter));
  }
}
