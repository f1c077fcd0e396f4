package io.evidentsource.client;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A query (docs/queries.md): the same parts as REST, built fluently from {@link #of} or {@link
 * #all()}; each method returns a new query. The client pages through the result lazily; every page
 * is read at the snapshot of the first, and the client carries the page token itself, so a query
 * cannot name a token with another snapshot.
 *
 * <pre>{@code
 * Query.of(Selector.stream("orders")).asOfTransactionTime(t).newestFirst().pageSize(500)
 * }</pre>
 *
 * @param selector which events
 * @param snapshot the revision read: the head at the first page, a revision, or as of a time
 * @param fromRevision lowest revision (inclusive, ≥ 1)
 * @param toRevision highest revision (inclusive, ≥ 0), or null for the snapshot's
 * @param order by revision or by effective time
 * @param direction oldest or newest first
 * @param asOfEffectiveTime only events with effective time at or before it, or null
 * @param pageSize events fetched per round trip, 1..1000
 */
public record Query(
    Selector selector,
    Snapshot snapshot,
    long fromRevision,
    @Nullable Long toRevision,
    Order order,
    Direction direction,
    @Nullable Instant asOfEffectiveTime,
    int pageSize) {

  /** What a query sorts by. */
  public enum Order {
    /** By revision: the order of commits. */
    REVISION,
    /** By effective time ({@code time}, else the recorded time), ties broken by revision. */
    EFFECTIVE_TIME
  }

  /** Which end of the order comes first. */
  public enum Direction {
    /** Oldest first. */
    FORWARD,
    /** Newest first. */
    BACKWARD
  }

  /**
   * Which revision a query reads: the head when its first page is read, a given revision, or the
   * last revision recorded at or before a transaction time. One at most, so "both a revision and a
   * time" cannot be expressed.
   */
  public sealed interface Snapshot {

    /**
     * Calls the function for this snapshot's kind and returns its result; a new kind adds a
     * parameter, so the compiler finds every caller.
     */
    <R> R match(
        Function<Head, R> head,
        Function<AtRevision, R> atRevision,
        Function<AsOfTransactionTime, R> asOfTransactionTime);

    /** The head when the first page is read. */
    record Head() implements Snapshot {
      @Override
      public <R> R match(
          Function<Head, R> head,
          Function<AtRevision, R> atRevision,
          Function<AsOfTransactionTime, R> asOfTransactionTime) {
        return head.apply(this);
      }
    }

    /**
     * A given revision, at most the head.
     *
     * @param revision ≥ 0
     */
    record AtRevision(long revision) implements Snapshot {
      public AtRevision {
        if (revision < 0) {
          throw new IllegalArgumentException("revision must be >= 0, was " + revision);
        }
      }

      @Override
      public <R> R match(
          Function<Head, R> head,
          Function<AtRevision, R> atRevision,
          Function<AsOfTransactionTime, R> asOfTransactionTime) {
        return atRevision.apply(this);
      }
    }

    /**
     * The last revision recorded at or before {@code time}.
     *
     * @param time a transaction time ({@code recordedtime})
     */
    record AsOfTransactionTime(Instant time) implements Snapshot {
      public AsOfTransactionTime {
        Objects.requireNonNull(time, "time");
      }

      @Override
      public <R> R match(
          Function<Head, R> head,
          Function<AtRevision, R> atRevision,
          Function<AsOfTransactionTime, R> asOfTransactionTime) {
        return asOfTransactionTime.apply(this);
      }
    }
  }

  /**
   * @throws IllegalArgumentException naming the part out of bounds
   */
  public Query {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(order, "order");
    Objects.requireNonNull(direction, "direction");
    if (fromRevision < 1) {
      throw new IllegalArgumentException("fromRevision must be >= 1, was " + fromRevision);
    }
    if (toRevision != null && toRevision < 0) {
      throw new IllegalArgumentException("toRevision must be >= 0, was " + toRevision);
    }
    if (pageSize < 1 || pageSize > 1000) {
      throw new IllegalArgumentException("pageSize must be in 1..1000, was " + pageSize);
    }
  }

  /** Every event matching {@code selector}, at the head, oldest first, 100 per round trip. */
  public static Query of(Selector selector) {
    return new Query(
        selector, new Snapshot.Head(), 1, null, Order.REVISION, Direction.FORWARD, null, 100);
  }

  /** Every event. */
  public static Query all() {
    return of(Selector.any());
  }

  /** The same query read at {@code snapshot}, replacing the snapshot named before. */
  public Query at(Snapshot snapshot) {
    return new Query(
        selector,
        snapshot,
        fromRevision,
        toRevision,
        order,
        direction,
        asOfEffectiveTime,
        pageSize);
  }

  /** The same query at the head when its first page is read (the default). */
  public Query atHead() {
    return at(new Snapshot.Head());
  }

  /** The same query read at {@code revision}, replacing the snapshot named before. */
  public Query atRevision(long revision) {
    return at(new Snapshot.AtRevision(revision));
  }

  /**
   * The same query read at the last revision recorded at or before {@code time}, replacing the
   * snapshot named before.
   */
  public Query asOfTransactionTime(Instant time) {
    return at(new Snapshot.AsOfTransactionTime(time));
  }

  /** The same query over revisions {@code from..to} (inclusive; {@code to} null: the snapshot). */
  public Query range(long from, @Nullable Long to) {
    return new Query(selector, snapshot, from, to, order, direction, asOfEffectiveTime, pageSize);
  }

  /** The same query, oldest first (the default). */
  public Query oldestFirst() {
    return direction(Direction.FORWARD);
  }

  /** The same query, newest first. */
  public Query newestFirst() {
    return direction(Direction.BACKWARD);
  }

  /** The same query in {@code direction}. */
  public Query direction(Direction direction) {
    return new Query(
        selector,
        snapshot,
        fromRevision,
        toRevision,
        order,
        direction,
        asOfEffectiveTime,
        pageSize);
  }

  /** The same query ordered by revision (the default). */
  public Query byRevision() {
    return order(Order.REVISION);
  }

  /** The same query ordered by effective time, ties broken by revision. */
  public Query byEffectiveTime() {
    return order(Order.EFFECTIVE_TIME);
  }

  /** The same query in {@code order}. */
  public Query order(Order order) {
    return new Query(
        selector,
        snapshot,
        fromRevision,
        toRevision,
        order,
        direction,
        asOfEffectiveTime,
        pageSize);
  }

  /** The same query, only events effective at or before {@code time} (null: no bound). */
  public Query asOfEffectiveTime(@Nullable Instant time) {
    return new Query(
        selector, snapshot, fromRevision, toRevision, order, direction, time, pageSize);
  }

  /** The same query fetching {@code size} events per round trip, 1..1000. */
  public Query pageSize(int size) {
    return new Query(
        selector, snapshot, fromRevision, toRevision, order, direction, asOfEffectiveTime, size);
  }
}
