package io.evidentsource.core.command;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What a committed transaction reports (docs/data-model.md#transactions).
 *
 * @param transactionId the client's or the server-chosen transaction id
 * @param firstRevision the revision of the first event
 * @param revision the revision of the last event: the database head right after the commit
 * @param eventCount the number of events, {@code revision - firstRevision + 1}
 * @param recordedTime the commit time (UTC) stamped on every event (its CloudEvents recordedtime
 *     attribute)
 * @param duplicate true when this is the stored result of an earlier request with the same id
 */
public record TransactionResult(
    UUID transactionId,
    long firstRevision,
    long revision,
    int eventCount,
    Instant recordedTime,
    boolean duplicate) {
  public TransactionResult {
    Objects.requireNonNull(transactionId, "transactionId");
    Objects.requireNonNull(recordedTime, "recordedTime");
    if (firstRevision < 1 || revision - firstRevision + 1 != eventCount) {
      throw new IllegalArgumentException(
          "inconsistent result: first="
              + firstRevision
              + " last="
              + revision
              + " count="
              + eventCount);
    }
  }

  /** The same result marked as a duplicate. */
  public TransactionResult asDuplicate() {
    return new TransactionResult(
        transactionId, firstRevision, revision, eventCount, recordedTime, true);
  }
}
