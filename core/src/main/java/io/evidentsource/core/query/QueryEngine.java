package io.evidentsource.core.query;

import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.error.RevisionNotFoundException;
import io.evidentsource.core.index.DatabaseIndex;
import io.evidentsource.core.index.IndexManager;
import io.evidentsource.core.index.IndexSnapshot;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.selector.SelectorText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.LongPredicate;
import org.jspecify.annotations.Nullable;

/**
 * Answers {@link EventQuery}s at a consistent snapshot (docs/queries.md): resolves the snapshot
 * revision, walks the index for matching revisions, then reads those events from storage. A page
 * token pins the snapshot of the first page, so later pages never show newer events.
 */
public final class QueryEngine {
  /** Events read from storage per round trip while streaming. */
  static final int FETCH_CHUNK = 256;

  private final StorageAdapter storage;
  private final IndexManager indexes;

  /**
   * @param storage the storage adapter
   * @param indexes the index manager shared with the command handler
   */
  public QueryEngine(StorageAdapter storage, IndexManager indexes) {
    this.storage = storage;
    this.indexes = indexes;
  }

  /**
   * Reads one page.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}, {@code INVALID_QUERY} (a revision
   *     beyond the head) or {@code INVALID_PAGE_TOKEN}
   */
  public QueryPage page(DatabaseName database, EventQuery query) {
    return page(database, query, QueryBudget.unlimited());
  }

  /**
   * Reads one page within {@code budget}.
   *
   * @throws EvidentSourceException as {@link #page(DatabaseName, EventQuery)}, and {@code
   *     QUERY_TOO_EXPENSIVE}, {@code QUERY_TIMEOUT} or {@code QUERY_CANCELLED} from the budget
   */
  public QueryPage page(DatabaseName database, EventQuery query, QueryBudget budget) {
    var plan = plan(require(database), query, budget);
    var revisions = plan.revisions(query.limit() + 1);
    boolean more = revisions.length > query.limit();
    long[] pageRevs = more ? Arrays.copyOf(revisions, query.limit()) : revisions;
    var events = fetch(plan.info, pageRevs);
    String next = null;
    if (more) {
      long last = pageRevs[pageRevs.length - 1];
      next =
          new PageToken(
                  plan.info.generation(),
                  plan.snapshot.revision(),
                  plan.asOfTransactionTime,
                  plan.fingerprint,
                  last,
                  plan.snapshot.effectiveNanos(last))
              .encode();
    }
    return new QueryPage(plan.snapshot.revision(), events, next);
  }

  /**
   * Streams every matching event (ignoring {@link EventQuery#limit()} unless {@code maxEvents} is
   * given), reading storage in chunks as the caller consumes.
   *
   * @param maxEvents the most events to return, or {@code Long.MAX_VALUE}
   */
  public Result stream(DatabaseName database, EventQuery query, long maxEvents) {
    return stream(database, query, maxEvents, QueryBudget.unlimited());
  }

  /**
   * Streams every matching event within {@code budget}, renewed for each chunk read from storage
   * ({@link QueryBudget#renew()}): the work before the first event, and between two chunks, is
   * bounded; a stream of any length goes on while its client reads. The iterator throws the
   * budget's errors.
   */
  public Result stream(
      DatabaseName database, EventQuery query, long maxEvents, QueryBudget budget) {
    return stream(require(database), query, maxEvents, budget);
  }

  /**
   * Streams as {@link #stream(DatabaseName, EventQuery, long, QueryBudget)} does, with the
   * database's head as the caller last read it (a live tail woken by a polled head), instead of
   * reading the catalog again. {@code info} must be a head the storage reported.
   */
  public Result stream(DatabaseInfo info, EventQuery query, long maxEvents, QueryBudget budget) {
    var plan = plan(info, query, budget);
    return new Result(plan.snapshot.revision(), new StreamIterator(plan, maxEvents));
  }

  /**
   * A streamed result.
   *
   * @param revision the snapshot revision read at
   * @param events the events, fetched lazily
   */
  public record Result(long revision, Iterator<StoredEvent> events) {}

  /**
   * The event at {@code revision}.
   *
   * @throws EvidentSourceException {@code REVISION_NOT_FOUND} when the revision is 0 or beyond the
   *     head
   */
  public StoredEvent event(DatabaseName database, long revision) {
    DatabaseInfo info = require(database);
    if (revision < 1 || revision > info.revision()) {
      throw new RevisionNotFoundException(database.value(), revision, info.revision());
    }
    return storage.readRevisions(database, info.generation(), new long[] {revision}).get(0);
  }

  private Plan plan(DatabaseInfo info, EventQuery query, QueryBudget budget) {
    DatabaseName database = info.name();
    long fingerprint = fingerprint(query);
    DatabaseIndex index = indexes.caughtUp(info);
    if (index.generation() != info.generation()) {
      throw notFound(database);
    }
    return query
        .page()
        .match(
            first ->
                first
                    .snapshot()
                    .match(
                        head ->
                            new Plan(
                                info, index.snapshot(info.revision()), query, fingerprint, budget),
                        atRevision ->
                            new Plan(
                                info,
                                index.snapshot(requireAtMostHead(atRevision.revision(), info)),
                                query,
                                fingerprint,
                                budget),
                        asOf ->
                            new Plan(
                                info,
                                index.snapshot(
                                    index.snapshot(info.revision()).revisionAt(asOf.time())),
                                query,
                                asOf.time(),
                                fingerprint,
                                budget)),
            next -> {
              PageToken token = next.token();
              if (token.generation != info.generation()
                  || token.fingerprint != fingerprint
                  || token.snapshotRevision > info.revision()) {
                throw PageToken.invalid();
              }
              return new Plan(info, index.snapshot(token.snapshotRevision), query, token, budget);
            });
  }

  private static long requireAtMostHead(long revision, DatabaseInfo info) {
    if (revision > info.revision()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "revision "
              + revision
              + " is beyond the head of database '"
              + info.name()
              + "' ("
              + info.revision()
              + ")",
          Map.of("parameter", "revision", "head_revision", info.revision()));
    }
    return revision;
  }

  private static final class Plan {
    final DatabaseInfo info;
    final IndexSnapshot snapshot;
    final EventQuery query;
    final @Nullable PageToken token;
    final @Nullable Instant asOfTransactionTime; // how the first page asked; later tokens keep it
    final long fingerprint;
    final long from;
    final long to;
    final boolean forward;
    final long maxEffective;
    final QueryBudget budget;
    // for effective-time order: the whole sorted result, computed once
    long @Nullable [] sorted;
    int sortedPos;

    /** The first page at a revision or the head. */
    Plan(
        DatabaseInfo info,
        IndexSnapshot snapshot,
        EventQuery query,
        long fingerprint,
        QueryBudget budget) {
      this(info, snapshot, query, null, null, fingerprint, budget);
    }

    /** The first page as of a transaction time. */
    Plan(
        DatabaseInfo info,
        IndexSnapshot snapshot,
        EventQuery query,
        Instant asOfTransactionTime,
        long fingerprint,
        QueryBudget budget) {
      this(info, snapshot, query, null, asOfTransactionTime, fingerprint, budget);
    }

    /** A later page, at the snapshot its token pinned. */
    Plan(
        DatabaseInfo info,
        IndexSnapshot snapshot,
        EventQuery query,
        PageToken token,
        QueryBudget budget) {
      this(info, snapshot, query, token, token.asOfTransactionTime, token.fingerprint, budget);
    }

    private Plan(
        DatabaseInfo info,
        IndexSnapshot snapshot,
        EventQuery query,
        @Nullable PageToken token,
        @Nullable Instant asOfTransactionTime,
        long fingerprint,
        QueryBudget budget) {
      this.info = info;
      this.budget = budget;
      this.snapshot = snapshot;
      this.query = query;
      this.token = token;
      this.asOfTransactionTime = asOfTransactionTime;
      this.fingerprint = fingerprint;
      this.from = query.range().from();
      Instant asOfEffective = query.asOfEffectiveTime();
      // before the earliest storable effective time nothing can match; clamping the bound to that
      // time (as toNanos does) would let events stored exactly there through
      this.to =
          asOfEffective != null && asOfEffective.isBefore(EventTime.MIN_ACCEPTED)
              ? 0
              : query.range().upTo(snapshot.revision());
      this.forward = query.direction() == Direction.FORWARD;
      this.maxEffective =
          query.asOfEffectiveTime() == null
              ? Long.MAX_VALUE
              : IndexSnapshot.toNanos(query.asOfEffectiveTime());
    }

    /** Up to {@code max} matching revisions after the token position, in query order. */
    long[] revisions(int max) {
      var out = new long[Math.min(max, 1024)];
      int[] n = {0};
      long[][] buf = {out};
      visit(
          r -> {
            if (n[0] == buf[0].length) {
              buf[0] = Arrays.copyOf(buf[0], buf[0].length * 2);
            }
            buf[0][n[0]++] = r;
            return n[0] < max;
          });
      return Arrays.copyOf(buf[0], n[0]);
    }

    void visit(LongPredicate sink) {
      EventSelector selector = query.selector();
      if (query.order() == Order.REVISION) {
        long lo = from;
        long hi = to;
        if (token != null) {
          if (forward) {
            lo = Math.max(lo, token.lastRevision + 1);
          } else {
            hi = Math.min(hi, token.lastRevision - 1);
          }
        }
        snapshot.forEachMatching(
            selector,
            lo,
            hi,
            forward,
            budget,
            r ->
                (maxEffective == Long.MAX_VALUE || snapshot.effectiveNanos(r) <= maxEffective)
                    ? sink.test(r)
                    : true);
        return;
      }
      if (sorted == null) {
        sorted = sortByEffectiveTime(selector);
        sortedPos = token == null ? 0 : firstAfterToken(sorted);
      }
      while (sortedPos < sorted.length) {
        if (!sink.test(sorted[sortedPos++])) {
          return;
        }
      }
    }

    /**
     * The matching revisions in effective-time order (ties by revision), reversed for backward: one
     * walk of the index, then a sort of primitive keys, skipped when the times already ascend with
     * the revisions (events without an explicit time, or written in time order).
     */
    private long[] sortByEffectiveTime(EventSelector selector) {
      long[] revs = new long[256];
      long[] times = new long[256];
      int[] n = {0};
      boolean[] ascending = {true};
      long[][] bufs = {revs, times};
      snapshot.forEachMatching(
          selector,
          from,
          to,
          true,
          budget,
          r -> {
            long t = snapshot.effectiveNanos(r);
            if (t <= maxEffective) {
              int i = n[0];
              if (i == bufs[0].length) {
                bufs[0] = Arrays.copyOf(bufs[0], i * 2);
                bufs[1] = Arrays.copyOf(bufs[1], i * 2);
              }
              if (i > 0 && bufs[1][i - 1] > t) {
                ascending[0] = false;
              }
              bufs[0][i] = r;
              bufs[1][i] = t;
              n[0] = i + 1;
            }
            return true;
          });
      int count = n[0];
      revs = bufs[0];
      times = bufs[1];
      long[] out = new long[count];
      if (ascending[0]) {
        for (int i = 0; i < count; i++) {
          out[forward ? i : count - 1 - i] = revs[i];
        }
        return out;
      }
      budget.charge(count);
      // sort positions by (time, revision); revisions ascend already, so a stable sort by time
      Integer[] order = new Integer[count];
      for (int i = 0; i < count; i++) {
        order[i] = i;
      }
      long[] t = times;
      Arrays.sort(order, (a, b) -> Long.compare(t[a], t[b]));
      for (int i = 0; i < count; i++) {
        out[forward ? i : count - 1 - i] = revs[order[i]];
      }
      return out;
    }

    private int firstAfterToken(long[] revs) {
      var token = java.util.Objects.requireNonNull(this.token);
      long tNanos = token.lastNanos;
      long tRev = token.lastRevision;
      for (int i = 0; i < revs.length; i++) {
        long r = revs[i];
        long t = snapshot.effectiveNanos(r);
        int c = Long.compare(t, tNanos);
        if (c == 0) {
          c = Long.compare(r, tRev);
        }
        if (forward ? c > 0 : c < 0) {
          return i;
        }
      }
      return revs.length;
    }
  }

  private final class StreamIterator implements Iterator<StoredEvent> {
    private final Plan plan;
    private long remaining;
    private final List<StoredEvent> buffer = new ArrayList<>();
    private int pos;
    private boolean exhausted;
    private long lastRevision;
    private final boolean revisionOrder;

    StreamIterator(Plan plan, long maxEvents) {
      this.plan = plan;
      this.remaining = maxEvents;
      this.revisionOrder = plan.query.order() == Order.REVISION;
      this.lastRevision = plan.forward ? 0 : Long.MAX_VALUE;
    }

    @Override
    public boolean hasNext() {
      if (pos < buffer.size()) {
        return true;
      }
      if (exhausted || remaining <= 0) {
        return false;
      }
      refill();
      return pos < buffer.size();
    }

    @Override
    public StoredEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      remaining--;
      return buffer.get(pos++);
    }

    private void refill() {
      plan.budget.renew();
      buffer.clear();
      pos = 0;
      int want = (int) Math.min(FETCH_CHUNK, remaining);
      long[] revs;
      if (revisionOrder) {
        // continue after the last revision returned by narrowing the walk's range
        long[] out = new long[want];
        int[] n = {0};
        long lo = plan.forward ? Math.max(plan.from, lastRevision + 1) : plan.from;
        long hi = plan.forward ? plan.to : Math.min(plan.to, lastRevision - 1);
        if (plan.token != null) {
          if (plan.forward) {
            lo = Math.max(lo, plan.token.lastRevision + 1);
          } else {
            hi = Math.min(hi, plan.token.lastRevision - 1);
          }
        }
        plan.snapshot.forEachMatching(
            plan.query.selector(),
            lo,
            hi,
            plan.forward,
            plan.budget,
            r -> {
              if (plan.maxEffective != Long.MAX_VALUE
                  && plan.snapshot.effectiveNanos(r) > plan.maxEffective) {
                return true;
              }
              out[n[0]++] = r;
              return n[0] < want;
            });
        revs = Arrays.copyOf(out, n[0]);
      } else {
        revs = plan.revisions(want);
      }
      if (revs.length < want) {
        exhausted = true;
      }
      if (revs.length > 0) {
        lastRevision = revs[revs.length - 1];
        buffer.addAll(fetch(plan.info, revs));
      }
    }
  }

  private List<StoredEvent> fetch(DatabaseInfo info, long[] revisions) {
    if (revisions.length == 0) {
      return List.of();
    }
    var out = new ArrayList<StoredEvent>(revisions.length);
    for (int i = 0; i < revisions.length; i += FETCH_CHUNK) {
      long[] chunk = Arrays.copyOfRange(revisions, i, Math.min(revisions.length, i + FETCH_CHUNK));
      out.addAll(storage.readRevisions(info.name(), info.generation(), chunk));
    }
    return out;
  }

  /** Stable across server instances of one version, so any instance accepts a token. */
  private static long fingerprint(EventQuery q) {
    long h = SelectorText.format(q.selector()).hashCode();
    h = h * 31 + (q.asOfEffectiveTime() == null ? -1 : q.asOfEffectiveTime().hashCode());
    h = h * 31 + q.range().from();
    h = h * 31 + (q.range().to() == null ? -1 : q.range().to());
    h = h * 31 + q.direction().name().hashCode();
    h = h * 31 + q.order().name().hashCode();
    return h * 0x9E3779B97F4A7C15L;
  }

  private DatabaseInfo require(DatabaseName database) {
    return storage.findDatabase(database).orElseThrow(() -> notFound(database));
  }

  private static DatabaseNotFoundException notFound(DatabaseName database) {
    return new DatabaseNotFoundException(database.value());
  }
}
