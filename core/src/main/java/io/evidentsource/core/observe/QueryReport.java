package io.evidentsource.core.observe;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.query.EventQuery;
import org.jspecify.annotations.Nullable;

/**
 * One ended read.
 *
 * @param database the database read
 * @param kind what the read served
 * @param query the query, or null for a single-event read
 * @param revision the snapshot revision read at, or the revision of the single event read
 * @param events how many events it returned
 * @param nanos the time spent reading, in nanoseconds: for a streamed result only the time inside
 *     the engine and the storage, not the time the consumer took between events
 * @param failed whether it ended with an error
 */
public record QueryReport(
    DatabaseName database,
    QueryKind kind,
    @Nullable EventQuery query,
    long revision,
    long events,
    long nanos,
    boolean failed) {}
