package io.evidentsource.client;

import java.time.Instant;
import java.util.UUID;

/**
 * A committed transaction.
 *
 * @param transactionId the transaction id (the client's, or the one the client chose for retries)
 * @param firstRevision revision of the first event
 * @param revision revision of the last event (the head right after the commit)
 * @param eventCount number of events
 * @param recordedTime commit time (UTC)
 * @param duplicate true when this is the stored result of an earlier attempt with the same id
 */
public record TransactionResult(
    UUID transactionId,
    long firstRevision,
    long revision,
    int eventCount,
    Instant recordedTime,
    boolean duplicate) {}
