package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.index.IndexSegmentRebuilder;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Index segment rebuilds requested over {@code POST /api/v1/admin/databases/{db}/index-rebuilds}
 * (docs/operations.md#rebuilding-index-segments): each reads a database's log range by range and
 * seals the segments missing from the store, or replaces those that do not decode ({@link
 * IndexSegmentRebuilder}), on one background thread of this instance, never holding an index lock.
 * One rebuild per database at a time: asking again while one is queued or running returns that one.
 * Progress is kept by this instance for its last {@value #KEPT} rebuilds and logged at INFO every
 * 10 %.
 */
public final class IndexRebuilds implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexRebuilds.class);

  /** Finished rebuilds remembered for their progress resource. */
  static final int KEPT = 100;

  /** Where a rebuild is. */
  public enum State {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED;

    /** The wire form, e.g. {@code running}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A rebuild as its progress resource shows it.
   *
   * @param id its id (a UUID)
   * @param database the database
   * @param generation the database generation it rebuilds
   * @param revision the head it rebuilds up to: the database's revision when it was requested
   * @param segmentEvents revisions per segment
   * @param state where it is
   * @param progress ranges and events so far
   * @param requestedAt when it was requested
   * @param finishedAt when it ended, or null
   * @param error why it failed, or null
   */
  public record Status(
      String id,
      DatabaseName database,
      long generation,
      long revision,
      int segmentEvents,
      State state,
      IndexSegmentRebuilder.Progress progress,
      Instant requestedAt,
      @Nullable Instant finishedAt,
      @Nullable String error) {
    Status with(State state, IndexSegmentRebuilder.Progress progress) {
      return copy(state, progress, finishedAt, error);
    }

    Status ended(State state, Instant at, @Nullable String error) {
      return copy(state, progress, at, error);
    }

    private Status copy(
        State state,
        IndexSegmentRebuilder.Progress progress,
        @Nullable Instant finishedAt,
        @Nullable String error) {
      return new Status(
          id,
          database,
          generation,
          revision,
          segmentEvents,
          state,
          progress,
          requestedAt,
          finishedAt,
          error);
    }

    boolean active() {
      return state == State.QUEUED || state == State.RUNNING;
    }
  }

  private final EventStore store;
  private final @Nullable IndexSegmentRebuilder rebuilder;
  private final int segmentEvents;
  private final Clock clock;
  private final Map<String, Status> rebuilds = new LinkedHashMap<>();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            var t = new Thread(r, "index-segment-rebuild");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param store the event store (for the database's head)
   * @param rebuilder the rebuilder over the storage's segment store, or null when this server keeps
   *     no segments
   * @param segmentEvents revisions per segment
   * @param clock the source of request and end times
   */
  public IndexRebuilds(
      EventStore store, @Nullable IndexSegmentRebuilder rebuilder, int segmentEvents, Clock clock) {
    this.store = store;
    this.rebuilder = rebuilder;
    this.segmentEvents = segmentEvents;
    this.clock = clock;
  }

  /**
   * Starts a rebuild of {@code database}'s segments up to its current revision, or returns the one
   * queued or running for it.
   *
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}; {@code INDEX_SEGMENTS_DISABLED} when
   *     this server keeps no index segments
   */
  public Status start(DatabaseName database) {
    var r = rebuilder;
    if (r == null) {
      throw new EvidentSourceException(
          ErrorCode.INDEX_SEGMENTS_DISABLED,
          "this server keeps no index segments to rebuild: set"
              + " evidentsource.index.segments.enabled=true on a storage profile that keeps them"
              + " (dynamodb-sns, dynamodb-kafka, memory)",
          Map.of("property", "evidentsource.index.segments.enabled"));
    }
    DatabaseInfo info = store.database(database);
    Status status;
    synchronized (rebuilds) {
      for (Status s : rebuilds.values()) {
        if (s.database().equals(database) && s.active()) {
          return s;
        }
      }
      status =
          new Status(
              UUID.randomUUID().toString(),
              database,
              info.generation(),
              info.revision(),
              segmentEvents,
              State.QUEUED,
              IndexSegmentRebuilder.Progress.start(r.ranges(info.revision())),
              clock.instant(),
              null,
              null);
      put(status);
    }
    String id = status.id();
    worker.execute(() -> run(r, id, info));
    return status;
  }

  /** The rebuild {@code id} of {@code database}, if this instance knows it. */
  public Optional<Status> find(DatabaseName database, String id) {
    synchronized (rebuilds) {
      Status s = rebuilds.get(id);
      return s != null && s.database().equals(database) ? Optional.of(s) : Optional.empty();
    }
  }

  private void run(IndexSegmentRebuilder r, String id, DatabaseInfo info) {
    update(id, s -> s.with(State.RUNNING, s.progress()));
    long total = r.ranges(info.revision());
    log.info(
        "index rebuild {} of {} (generation {}): {} segment ranges of {} events up to revision {}",
        id,
        info.name(),
        info.generation(),
        total,
        segmentEvents,
        info.revision());
    long[] loggedDecile = {0};
    try {
      var done =
          r.rebuild(
              info,
              progress -> {
                update(id, s -> s.with(State.RUNNING, progress));
                long decile = progress.rangesDone() * 10 / Math.max(1, progress.rangesTotal());
                if (decile > loggedDecile[0]) {
                  loggedDecile[0] = decile;
                  log.info(
                      "index rebuild {} of {}: {} % ({}/{} ranges, {} events read; {} sealed, {}"
                          + " replaced, {} kept)",
                      id,
                      info.name(),
                      decile * 10,
                      progress.rangesDone(),
                      progress.rangesTotal(),
                      progress.eventsRead(),
                      progress.sealed(),
                      progress.replaced(),
                      progress.kept());
                }
              });
      update(id, s -> s.with(State.SUCCEEDED, done).ended(State.SUCCEEDED, clock.instant(), null));
      log.info(
          "index rebuild {} of {} done: {} ranges, {} events read; {} sealed, {} replaced, {} kept",
          id,
          info.name(),
          done.rangesTotal(),
          done.eventsRead(),
          done.sealed(),
          done.replaced(),
          done.kept());
    } catch (RuntimeException e) {
      String error = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      update(id, s -> s.ended(State.FAILED, clock.instant(), error));
      log.warn("index rebuild {} of {} failed; asking again goes on", id, info.name(), e);
    }
  }

  private void update(String id, UnaryOperator<Status> change) {
    synchronized (rebuilds) {
      Status s = rebuilds.get(id);
      if (s != null) {
        rebuilds.put(id, change.apply(s));
      }
    }
  }

  /** Adds a rebuild, forgetting the oldest finished ones beyond {@link #KEPT}. Holds the lock. */
  private void put(Status status) {
    rebuilds.put(status.id(), status);
    var it = rebuilds.values().iterator();
    int excess = rebuilds.size() - KEPT;
    while (excess > 0 && it.hasNext()) {
      if (!it.next().active()) {
        it.remove();
        excess--;
      }
    }
  }

  /** Stops the rebuild thread; a rebuild cut short is done again when asked (idempotent). */
  @Override
  public void close() {
    worker.shutdownNow();
  }
}
