package io.evidentsource.core.subscription;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.QueryKind;
import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Runs live subscriptions over an {@link EventStore}: each reads matching events from a revision up
 * to the head it saw, then waits for the database to move and reads the next range. Because each
 * range ends at a head the storage reported (every lower revision committed) and the next range
 * starts right after it, no revision is skipped, repeated or reordered.
 *
 * <p>No thread waits for an idle subscription. The work runs as short tasks on the given executor,
 * shared by all subscriptions: a task reads at most {@value #ITEMS_PER_TASK} events into one
 * subscription's buffer and stops when the buffer is full (it resumes when the consumer has taken
 * half) or the subscription has caught up (it resumes when the database moves). The database moves
 * are learned from {@link ChangeNotifications#listen} when the storage pushes them, else by asking
 * {@link ChangeNotifications#awaitBeyond} without waiting every {@link
 * ChangeNotifications#pollInterval()}, once per followed database, not per subscription. One timer
 * thread per JVM sends heartbeats and ends stalled subscriptions.
 *
 * <p>How many subscriptions may be open at once, on the server and per database, is bounded by
 * {@link SubscriptionOptions#maxOpen()} and {@link SubscriptionOptions#maxOpenPerDatabase()}.
 */
public final class SubscriptionEngine implements AutoCloseable {
  /** Most events one task moves into one subscription's buffer before others get a turn. */
  static final int ITEMS_PER_TASK = 256;

  private static final ScheduledExecutorService TIMER = timer();

  private final EventStore store;
  private final ChangeNotifications notifications;
  private final Executor executor;
  private final SubscriptionOptions options;
  private final Set<Reader> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger openCount = new AtomicInteger();
  private final ConcurrentHashMap<DatabaseName, Watch> watches = new ConcurrentHashMap<>();
  private final @Nullable AutoCloseable listening;
  private final ScheduledFuture<?> ticks;
  private final long pollNanos;
  private volatile long lastPoll = System.nanoTime();

  /**
   * @param store the event store read from
   * @param notifications how the engine learns that a database moved
   * @param executor runs the engine's short tasks; a small fixed pool serves any number of
   *     subscriptions
   * @param options buffer, stall, heartbeat and open-subscription limits
   */
  public SubscriptionEngine(
      EventStore store,
      ChangeNotifications notifications,
      Executor executor,
      SubscriptionOptions options) {
    this.store = store;
    this.notifications = notifications;
    this.executor = executor;
    this.options = options;
    this.listening = notifications.listen(this::changed);
    this.pollNanos = Math.max(1_000_000, notifications.pollInterval().toNanos());
    long tick =
        Math.max(
            5,
            Math.min(
                500,
                Math.min(
                        Math.min(
                            options.heartbeatInterval().toMillis(), options.maxStall().toMillis()),
                        listening == null ? pollNanos / 1_000_000 : Long.MAX_VALUE)
                    / 4));
    this.ticks = TIMER.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
  }

  private static ScheduledExecutorService timer() {
    var timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              var t = new Thread(runnable, "es-subscription-timer");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /** The settings subscriptions run with. */
  public SubscriptionOptions options() {
    return options;
  }

  /**
   * The subscriptions open now, each with its database and lag: how many revisions lie between the
   * newest head its reader has seen and the revision its subscriber has consumed through (0 when
   * the subscriber has everything). For metrics; a snapshot, cheap to take.
   */
  public List<OpenSubscription> openSubscriptions() {
    return open.stream().map(r -> new OpenSubscription(r.database, r.lag())).toList();
  }

  /**
   * One open subscription.
   *
   * @param database the database it follows
   * @param lag revisions committed (as its reader last saw the head) that its subscriber has not
   *     consumed yet, ≥ 0
   */
  public record OpenSubscription(DatabaseName database, long lag) {}

  /**
   * Opens a subscription.
   *
   * @param database the database followed
   * @param selector which events to deliver
   * @param fromRevision first revision delivered (inclusive, ≥ 1), or null for "only events
   *     committed from now on"
   * @throws EvidentSourceException {@code DATABASE_NOT_FOUND}, {@code INVALID_QUERY} for a revision
   *     below 1, {@code TOO_MANY_SUBSCRIPTIONS} when the server or the database already has as many
   *     open subscriptions as the limits allow
   */
  public Subscription subscribe(
      DatabaseName database, EventSelector selector, @Nullable Long fromRevision) {
    if (fromRevision != null && fromRevision < 1) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "'from_revision' must be >= 1, was " + fromRevision,
          Map.of("parameter", "from_revision"));
    }
    DatabaseInfo start = store.database(database);
    long first = fromRevision != null ? fromRevision : start.revision() + 1;
    reserve(database);
    Watch watch = watches.computeIfAbsent(database, Watch::new);
    var subscription = new Subscription(options);
    var reader = new Reader(watch, start.generation(), selector, first, subscription);
    watch.readers.add(reader);
    open.add(reader);
    subscription.onClose(reader::closed);
    subscription.onSpace(reader::schedule);
    reader.schedule();
    return subscription;
  }

  /** Takes a place among the open subscriptions of the server and of the database, or refuses. */
  private void reserve(DatabaseName database) {
    int total = openCount.incrementAndGet();
    if (total > options.maxOpen()) {
      openCount.decrementAndGet();
      throw tooMany(
          "the server", database, options.maxOpen(), SubscriptionOptions.MAX_OPEN_PROPERTY);
    }
    Watch watch = watches.computeIfAbsent(database, Watch::new);
    int here = watch.reserved.incrementAndGet();
    if (here > options.maxOpenPerDatabase()) {
      watch.reserved.decrementAndGet();
      openCount.decrementAndGet();
      throw tooMany(
          "database '" + database + "'",
          database,
          options.maxOpenPerDatabase(),
          SubscriptionOptions.MAX_OPEN_PER_DATABASE_PROPERTY);
    }
  }

  private static EvidentSourceException tooMany(
      String where, DatabaseName database, int limit, String property) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("database", database.value());
    fields.put("limit", limit);
    fields.put("limit_name", property);
    return new EvidentSourceException(
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
        where
            + " already serves "
            + limit
            + " live tails, the limit "
            + property
            + "; close one or try again later",
        fields);
  }

  /** Stops the timer task and the storage's push listener; open subscriptions stop moving. */
  @Override
  public void close() {
    ticks.cancel(false);
    var l = listening;
    if (l != null) {
      try {
        l.close();
      } catch (Exception e) {
        // nothing to report: the listener is gone either way
      }
    }
  }

  /** The storage says {@code database} moved or went away. */
  private void changed(DatabaseName database) {
    var watch = watches.get(database);
    if (watch != null) {
      watch.moved();
    }
  }

  /** Heartbeats, stalled consumers and, without push notifications, polls. */
  private void tick() {
    try {
      long now = System.nanoTime();
      long heartbeat = options.heartbeatInterval().toNanos();
      long maxStall = options.maxStall().toNanos();
      for (Reader r : open) {
        if (r.out.stalledNanos(now) > maxStall) {
          r.cutOff();
        } else if (now - r.lastActivity > heartbeat) {
          r.heartbeatDue = true;
          r.schedule();
        }
      }
      if (listening == null && now - lastPoll >= pollNanos) {
        lastPoll = now;
        for (Watch w : watches.values()) {
          w.poll();
        }
      }
    } catch (RuntimeException e) {
      // the executor was shut down (tests) or a task failed to start: try again next tick
    }
  }

  /** The subscriptions of one database and the newest head read for them. */
  private final class Watch {
    final DatabaseName database;
    final Set<Reader> readers = ConcurrentHashMap.newKeySet();
    final AtomicInteger reserved = new AtomicInteger();
    final AtomicLong version = new AtomicLong(1);
    final AtomicBoolean polling = new AtomicBoolean();
    private long readVersion;
    private @Nullable DatabaseInfo head;
    private @Nullable RuntimeException failure;

    Watch(DatabaseName database) {
      this.database = database;
    }

    /** The database moved: readers read the catalog again and catch up. */
    void moved() {
      version.incrementAndGet();
      for (Reader r : readers) {
        r.schedule();
      }
    }

    /**
     * The database's head, read from the catalog once per change for all readers.
     *
     * @throws RuntimeException what reading the catalog threw ({@code DATABASE_NOT_FOUND})
     */
    synchronized DatabaseInfo head() {
      long v = version.get();
      if (v != readVersion || (head == null && failure == null)) {
        try {
          // polling storages: the head the notifications read, without a read of our own
          long before = head != null ? head.revision() : -1;
          head =
              notifications
                  .knownHead(database)
                  .filter(known -> known.revision() > before)
                  .orElseGet(() -> store.database(database));
          failure = null;
        } catch (RuntimeException e) {
          head = null;
          failure = e;
        }
        readVersion = v;
      }
      if (failure != null) {
        throw failure;
      }
      return java.util.Objects.requireNonNull(head, "head");
    }

    /** Without push notifications: one look at the catalog for the whole database. */
    void poll() {
      if (readers.isEmpty() || !polling.compareAndSet(false, true)) {
        return;
      }
      try {
        executor.execute(
            () -> {
              try {
                long seen;
                synchronized (this) {
                  seen = head != null ? head.revision() : -1;
                }
                if (seen < 0 || notifications.awaitBeyond(database, seen, Duration.ZERO)) {
                  moved();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                moved(); // the readers read the catalog themselves and report what fails
              } finally {
                polling.set(false);
              }
            });
      } catch (RejectedExecutionException e) {
        polling.set(false);
      }
    }

    /** A reader of this database closed. */
    void release(Reader reader) {
      if (readers.remove(reader)) {
        reserved.decrementAndGet();
        openCount.decrementAndGet();
      }
    }
  }

  /** One subscription's position and the task that fills its buffer. */
  private final class Reader {
    final Watch watch;
    final DatabaseName database;
    final long generation;
    final EventSelector selector;
    final Subscription out;
    final AtomicInteger wip = new AtomicInteger();
    volatile long lastActivity = System.nanoTime();
    volatile boolean heartbeatDue;
    private volatile long next;
    private volatile long seenHead;
    private @Nullable Iterator<StoredEvent> range;
    private long rangeHead;

    Reader(Watch watch, long generation, EventSelector selector, long next, Subscription out) {
      this.watch = watch;
      this.database = watch.database;
      this.generation = generation;
      this.selector = selector;
      this.next = next;
      this.out = out;
      this.seenHead = next - 1;
      out.consumedThrough(next - 1);
    }

    long lag() {
      return Math.max(0, seenHead - out.consumed());
    }

    /** Runs {@link #fill} on the executor unless it runs already; then it runs once more. */
    void schedule() {
      if (wip.getAndIncrement() == 0) {
        try {
          executor.execute(this::run);
        } catch (RejectedExecutionException e) {
          wip.set(0);
          watch.release(this);
          open.remove(this);
          out.end(
              new SubscriptionItem.Ended(
                  new EvidentSourceException(
                      ErrorCode.INTERNAL,
                      "the server is shutting down; resume after the last revision received",
                      Map.of("database", database.value()))));
        }
      }
    }

    private void run() {
      boolean more = false;
      int missed = 1;
      do {
        more = fill();
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
      if (more) {
        schedule(); // to the back of the executor's queue: other subscriptions get a turn
      }
    }

    /**
     * Moves up to {@value #ITEMS_PER_TASK} events into the buffer.
     *
     * @return true when there is more to do right away
     */
    private boolean fill() {
      if (out.isClosed() || out.isEnded()) {
        watch.release(this);
        open.remove(this);
        return false;
      }
      int added = 0;
      try {
        while (true) {
          Iterator<StoredEvent> events = range;
          if (events == null) {
            DatabaseInfo info = watch.head();
            if (info.generation() != generation) {
              throw DatabaseNotFoundException.deletedWhileSubscribed(database.value());
            }
            seenHead = Math.max(seenHead, info.revision());
            if (next > info.revision()) {
              break; // caught up: wait for the database to move
            }
            var query = EventQuery.of(selector).withRevision(info.revision());
            query = query.withRange(next, info.revision());
            // at the head the watch read: no catalog read per reader
            events = store.stream(info, query, Long.MAX_VALUE, QueryKind.LIVE).events();
            range = events;
            rangeHead = info.revision();
          }
          while (events.hasNext()) {
            if (!out.hasSpace()) {
              announce(added);
              out.markFull();
              return false; // the consumer's poll resumes us once half the buffer is free
            }
            if (added >= ITEMS_PER_TASK) {
              announce(added);
              return true;
            }
            StoredEvent e = events.next();
            out.add(new SubscriptionItem.Delivered(e));
            next = e.revision() + 1;
            added++;
          }
          range = null;
          next = rangeHead + 1;
          out.scannedThrough(rangeHead);
        }
        if (heartbeatDue && added == 0 && out.hasSpace()) {
          out.add(new SubscriptionItem.Heartbeat(seenHead));
          added++;
        }
        heartbeatDue = false;
        announce(added);
        return false;
      } catch (EvidentSourceException e) {
        announce(added);
        out.end(new SubscriptionItem.Ended(e));
      } catch (RuntimeException e) {
        announce(added);
        out.end(
            new SubscriptionItem.Ended(
                new EvidentSourceException(
                    ErrorCode.INTERNAL,
                    "the subscription failed while reading events",
                    Map.of("database", database.value()),
                    e)));
      }
      watch.release(this);
      open.remove(this);
      return false;
    }

    private void announce(int added) {
      if (added > 0) {
        lastActivity = System.nanoTime();
        out.announce();
      }
    }

    /** The consumer took nothing for maxStall while the buffer was full. */
    void cutOff() {
      out.end(
          new SubscriptionItem.Ended(
              new EvidentSourceException(
                  ErrorCode.SLOW_CONSUMER,
                  "the subscriber did not read for "
                      + options.maxStall().toMillis()
                      + " ms while "
                      + options.bufferSize()
                      + " items were waiting; resume after the last revision received",
                  Map.of(
                      "database",
                      database.value(),
                      "buffer_size",
                      options.bufferSize(),
                      "next_revision",
                      next))));
      schedule(); // forgets the reader
    }

    /** The consumer closed the subscription. */
    void closed() {
      watch.release(this);
      open.remove(this);
    }
  }
}
