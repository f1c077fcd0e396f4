package io.evidentsource.core.query;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A read of a database at one consistent revision (docs/queries.md).
 *
 * @param selector which events to return
 * @param revision the snapshot revision to read at, or null for the head at request start
 * @param asOfTransactionTime read at the highest revision recorded at or before this instant;
 *     exclusive with {@code revision}
 * @param asOfEffectiveTime only events whose effective time is at or before this instant
 * @param fromRevision lowest revision returned (inclusive, ≥ 1)
 * @param toRevision highest revision returned (inclusive), or null for the snapshot revision
 * @param direction forward (oldest first) or backward
 * @param order by revision or by effective time
 * @param limit most events in one page, 1..{@value #MAX_LIMIT}
 * @param pageToken the {@code next_page_token} of the previous page, or null for the first page
 */
public record EventQuery(
    EventSelector selector,
    @Nullable Long revision,
    @Nullable Instant asOfTransactionTime,
    @Nullable Instant asOfEffectiveTime,
    long fromRevision,
    @Nullable Long toRevision,
    Direction direction,
    Order order,
    int limit,
    @Nullable String pageToken) {

  /** Page size when none is given. */
  public static final int DEFAULT_LIMIT = 100;

  /** Largest page size. */
  public static final int MAX_LIMIT = 1000;

  /**
   * @throws EvidentSourceException {@link ErrorCode#INVALID_QUERY} naming the parameter
   */
  public EventQuery {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(order, "order");
    if (revision != null && asOfTransactionTime != null) {
      throw invalid("revision", "give either 'revision' or 'as_of_transaction_time', not both");
    }
    if (revision != null && revision < 0) {
      throw invalid("revision", "'revision' must be >= 0, was " + revision);
    }
    if (fromRevision < 1) {
      throw invalid("from_revision", "'from_revision' must be >= 1, was " + fromRevision);
    }
    if (toRevision != null && toRevision < 0) {
      throw invalid("to_revision", "'to_revision' must be >= 0, was " + toRevision);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw invalid("limit", "'limit' must be in 1.." + MAX_LIMIT + ", was " + limit);
    }
  }

  /** Every event, at the head, oldest first, in pages of {@value #DEFAULT_LIMIT}. */
  public static EventQuery all() {
    return of(EventSelector.any());
  }

  /** The events matching {@code selector} at the head, oldest first. */
  public static EventQuery of(EventSelector selector) {
    return new EventQuery(
        selector,
        null,
        null,
        null,
        1,
        null,
        Direction.FORWARD,
        Order.REVISION,
        DEFAULT_LIMIT,
        null);
  }

  public EventQuery withRevision(@Nullable Long revision) {
    return new EventQuery(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        direction,
        order,
        limit,
        pageToken);
  }

  public EventQuery withAsOfTransactionTime(@Nullable Instant time) {
    return new EventQuery(
        selector,
        revision,
        time,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        direction,
        order,
        limit,
        pageToken);
  }

  public EventQuery withAsOfEffectiveTime(@Nullable Instant time) {
    return new EventQuery(
        selector,
        revision,
        asOfTransactionTime,
        time,
        fromRevision,
        toRevision,
        direction,
        order,
        limit,
        pageToken);
  }

  public EventQuery withRange(long from, @Nullable Long to) {
    return new EventQuery(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        from,
        to,
        direction,
        order,
        limit,
        pageToken);
  }

  public EventQuery withDirection(Direction direction) {
    return new EventQuery(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        direction,
        order,
        limit,
        pageToken);
  }

  public EventQuery withOrder(Order order) {
    return new EventQuery(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        direction,
        order,
        limit,
        pageToken);
  }

  public EventQuery withLimit(int limit) {
    return new EventQuery(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        direction,
        order,
        limit,
        pageToken);
  }

  public EventQuery withPageToken(@Nullable String pageToken) {
    return new EventQuery(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        direction,
        order,
        limit,
        pageToken);
  }

  static EvidentSourceException invalid(String parameter, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_QUERY, detail, Map.of("parameter", parameter));
  }
}
