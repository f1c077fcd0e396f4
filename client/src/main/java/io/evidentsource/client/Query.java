package io.evidentsource.client;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A query (docs/queries.md): the same filters as REST. The client pages through the result lazily;
 * every page is read at the snapshot revision of the first.
 *
 * @param selector which events
 * @param revision snapshot revision, or null for the head at the first page
 * @param asOfTransactionTime read at the highest revision recorded at or before it, or null
 * @param asOfEffectiveTime only events with effective time at or before it, or null
 * @param fromRevision lowest revision (inclusive, ≥ 1)
 * @param toRevision highest revision (inclusive), or null
 * @param backward newest first when true
 * @param byEffectiveTime order by effective time instead of revision
 * @param pageSize events fetched per round trip, 1..1000
 */
public record Query(
    Selector selector,
    @Nullable Long revision,
    @Nullable Instant asOfTransactionTime,
    @Nullable Instant asOfEffectiveTime,
    long fromRevision,
    @Nullable Long toRevision,
    boolean backward,
    boolean byEffectiveTime,
    int pageSize) {

  public Query {
    Objects.requireNonNull(selector, "selector");
    if (pageSize < 1 || pageSize > 1000) {
      throw new IllegalArgumentException("pageSize must be in 1..1000, was " + pageSize);
    }
  }

  /** Every event matching {@code selector}, oldest first, 100 per round trip. */
  public static Query of(Selector selector) {
    return new Query(selector, null, null, null, 1, null, false, false, 100);
  }

  /** Every event. */
  public static Query all() {
    return of(Selector.any());
  }

  public Query atRevision(long revision) {
    return new Query(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        backward,
        byEffectiveTime,
        pageSize);
  }

  public Query range(long from, @Nullable Long to) {
    return new Query(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        from,
        to,
        backward,
        byEffectiveTime,
        pageSize);
  }

  /** The same query, newest first. */
  public Query newestFirst() {
    return new Query(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        true,
        byEffectiveTime,
        pageSize);
  }

  public Query pageSize(int size) {
    return new Query(
        selector,
        revision,
        asOfTransactionTime,
        asOfEffectiveTime,
        fromRevision,
        toRevision,
        backward,
        byEffectiveTime,
        size);
  }
}
