package io.evidentsource.client;

import java.time.Instant;

/**
 * An event as stored.
 *
 * @param revision its revision in the database (dense, from 1)
 * @param recordedTime the commit time of its transaction (UTC)
 * @param event the event as sent
 */
public record StoredEvent(long revision, Instant recordedTime, Event event) {}
