package io.evidentsource.client;

import java.time.Instant;

/**
 * A database as the catalog describes it.
 *
 * @param name the database name (a DNS label)
 * @param createdAt when it was created
 * @param revision the head revision (number of events)
 * @param revisionTime commit time of the head revision ({@code createdAt} when empty)
 */
public record Database(String name, Instant createdAt, long revision, Instant revisionTime) {}
