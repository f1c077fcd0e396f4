package io.evidentsource.core.observe;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.model.DatabaseName;
import org.jspecify.annotations.Nullable;

/**
 * One ended transaction.
 *
 * @param database the database written to
 * @param outcome how it ended
 * @param eventCount the events in the batch (appended only when {@code outcome} is committed)
 * @param failedConditions how many of its append conditions failed (0 unless condition_failed)
 * @param revision the database's revision after the commit (its new head), or 0 unless committed
 * @param nanos how long it took, from validation to the answer, in nanoseconds
 * @param error the error code when it threw, else null
 */
public record TransactionReport(
    DatabaseName database,
    TransactionOutcome outcome,
    int eventCount,
    int failedConditions,
    long revision,
    long nanos,
    @Nullable ErrorCode error) {}
