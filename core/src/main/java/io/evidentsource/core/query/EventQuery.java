package io.evidentsource.core.query;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A read of a database at one consistent revision (docs/queries.md, ADR 0003), composed of parts
 * that each hold one rule, so a combination the API rejects cannot be built: the page (the first at
 * a {@link Snapshot}, or the next after a {@link PageToken} that pins the first's snapshot), the
 * {@link RevisionRange}, the order and direction, the effective-time bound and the page size. Start
 * with {@link #of} and change parts with the {@code with...} methods; each returns a new query.
 *
 * @param selector which events to return
 * @param page the first page at a snapshot, or the next page after a token
 * @param range the revisions returned, within the snapshot
 * @param order by revision or by effective time
 * @param direction forward (oldest first) or backward
 * @param asOfEffectiveTime only events whose effective time is at or before this instant, or null
 * @param limit most events in one page, 1..{@value #MAX_LIMIT}
 */
public record EventQuery(
    EventSelector selector,
    Page page,
    RevisionRange range,
    Order order,
    Direction direction,
    @Nullable Instant asOfEffectiveTime,
    int limit) {

  /** Page size when none is given. */
  public static final int DEFAULT_LIMIT = 100;

  /** Largest page size. */
  public static final int MAX_LIMIT = 1000;

  /**
   * @throws EvidentSourceException {@link ErrorCode#INVALID_QUERY} naming {@code limit}
   */
  public EventQuery {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(page, "page");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(order, "order");
    Objects.requireNonNull(direction, "direction");
    requireLimit(limit);
  }

  /** Every event, at the head, oldest first, in pages of {@value #DEFAULT_LIMIT}. */
  public static EventQuery all() {
    return of(EventSelector.any());
  }

  /** The events matching {@code selector} at the head, oldest first. */
  public static EventQuery of(EventSelector selector) {
    return new EventQuery(
        selector,
        Page.first(Snapshot.head()),
        RevisionRange.all(),
        Order.REVISION,
        Direction.FORWARD,
        null,
        DEFAULT_LIMIT);
  }

  /**
   * The page size as a request gives it: {@value #DEFAULT_LIMIT} when absent.
   *
   * @throws EvidentSourceException {@code INVALID_QUERY} naming {@code limit} outside 1..{@value
   *     #MAX_LIMIT}
   */
  public static int limitOrDefault(@Nullable Long requested) {
    long size = requested == null ? DEFAULT_LIMIT : requested;
    requireLimit(size);
    return (int) size;
  }

  /** The same query, on page {@code page}. */
  public EventQuery withPage(Page page) {
    return new EventQuery(selector, page, range, order, direction, asOfEffectiveTime, limit);
  }

  /** The first page at {@code snapshot} (a page token given before is dropped). */
  public EventQuery withSnapshot(Snapshot snapshot) {
    return withPage(Page.first(snapshot));
  }

  /** The first page at {@code revision}; see {@link Snapshot#atRevision}. */
  public EventQuery withRevision(long revision) {
    return withSnapshot(Snapshot.atRevision(revision));
  }

  /** The first page as of a transaction time; see {@link Snapshot#asOfTransactionTime}. */
  public EventQuery withAsOfTransactionTime(Instant time) {
    return withSnapshot(Snapshot.asOfTransactionTime(time));
  }

  /**
   * The page after the one that returned {@code pageToken}, at that page's snapshot (a snapshot
   * given before is dropped).
   *
   * @throws EvidentSourceException {@code INVALID_PAGE_TOKEN} when the text is not a page token
   */
  public EventQuery withPageToken(String pageToken) {
    return withPage(Page.after(pageToken));
  }

  /** The same query over {@code range}. */
  public EventQuery withRange(RevisionRange range) {
    return new EventQuery(selector, page, range, order, direction, asOfEffectiveTime, limit);
  }

  /** The same query over revisions {@code from..to}; see {@link RevisionRange}. */
  public EventQuery withRange(long from, @Nullable Long to) {
    return withRange(new RevisionRange(from, to));
  }

  /** The same query in {@code order}. */
  public EventQuery withOrder(Order order) {
    return new EventQuery(selector, page, range, order, direction, asOfEffectiveTime, limit);
  }

  /** The same query in {@code direction}. */
  public EventQuery withDirection(Direction direction) {
    return new EventQuery(selector, page, range, order, direction, asOfEffectiveTime, limit);
  }

  /** The same query bounded by effective time ({@code null}: no bound). */
  public EventQuery withAsOfEffectiveTime(@Nullable Instant time) {
    return new EventQuery(selector, page, range, order, direction, time, limit);
  }

  /** The same query with pages of {@code limit} events. */
  public EventQuery withLimit(int limit) {
    return new EventQuery(selector, page, range, order, direction, asOfEffectiveTime, limit);
  }

  private static void requireLimit(long limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "'limit' must be in 1.." + MAX_LIMIT + ", was " + limit,
          Map.of("parameter", "limit"));
    }
  }
}
