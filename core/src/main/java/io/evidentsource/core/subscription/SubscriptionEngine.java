package io.evidentsource.core.subscription;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.observe.QueryKind;
import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Runs live subscriptions over an {@link EventStore}: each reads matching events from a revision up
 * to the head it saw, then waits for {@link ChangeNotifications} and reads the next range. Because
 * each range ends at a head the storage reported (every lower revision committed) and the next
 * range starts right after it, no revision is skipped, repeated or reordered.
 *
 * <p>Each open subscription uses one thread of the given executor while it runs.
 */
public final class SubscriptionEngine {
  private final EventStore store;
  private final ChangeNotifications notifications;
  private final ExecutorService executor;
  private final SubscriptionOptions options;
  private final Set<Reader> open = ConcurrentHashMap.newKeySet();

  /**
   * @param store the event store read from
   * @param notifications how the reader learns that a database moved
   * @param executor runs one reader per open subscription (unbounded, e.g. a cached pool)
   * @param options buffer, stall and heartbeat settings
   */
  public SubscriptionEngine(
      EventStore store,
      ChangeNotifications notifications,
      ExecutorService executor,
      SubscriptionOptions options) {
    this.store = store;
    this.notifications = notifications;
    this.executor = executor;
    this.options = options;
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
   *     below 1
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
    var subscription = new Subscription(options);
    var reader = new Reader(database, start.generation(), selector, first, subscription);
    open.add(reader);
    Future<?> running;
    try {
      running = executor.submit(reader);
    } catch (RuntimeException e) {
      open.remove(reader);
      throw e;
    }
    subscription.onClose(() -> running.cancel(true));
    return subscription;
  }

  private final class Reader implements Runnable {
    private final DatabaseName database;
    private final long generation;
    private final EventSelector selector;
    private final Subscription out;
    private long next;
    private volatile long seenHead;

    Reader(
        DatabaseName database,
        long generation,
        EventSelector selector,
        long next,
        Subscription out) {
      this.database = database;
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

    @Override
    public void run() {
      try {
        DatabaseInfo info = store.database(database);
        long head = head(info);
        while (!out.isClosed()) {
          if (next <= head) {
            var query = EventQuery.of(selector).withRevision(head).withRange(next, head);
            var events = store.stream(info, query, Long.MAX_VALUE, QueryKind.LIVE).events();
            while (events.hasNext()) {
              if (!deliver(new SubscriptionItem.Delivered(events.next()))) {
                return;
              }
            }
            next = head + 1;
            out.scannedThrough(head);
          } else if (notifications.awaitBeyond(database, head, options.heartbeatInterval())) {
            info = latest(head);
            head = head(info);
          } else {
            stillThere();
            if (!deliver(new SubscriptionItem.Heartbeat(head))) {
              return;
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (EvidentSourceException e) {
        out.end(new SubscriptionItem.Ended(e));
      } catch (RuntimeException e) {
        out.end(
            new SubscriptionItem.Ended(
                new EvidentSourceException(
                    ErrorCode.INTERNAL,
                    "the subscription failed while reading events",
                    Map.of("database", database.value()),
                    e)));
      } finally {
        open.remove(this);
      }
    }

    /**
     * The head after a wake-up: the one the notifications read (polling storages: no read per
     * subscriber), else the catalog's.
     */
    private DatabaseInfo latest(long head) {
      return notifications
          .knownHead(database)
          .filter(known -> known.revision() > head)
          .orElseGet(() -> store.database(database));
    }

    /**
     * Before a heartbeat: ends a subscription whose database was deleted (and perhaps created
     * again) meanwhile, from the head the notifications know, or else the catalog.
     */
    private void stillThere() {
      head(notifications.knownHead(database).orElseGet(() -> store.database(database)));
    }

    private long head(DatabaseInfo info) {
      if (info.generation() != generation) {
        throw DatabaseNotFoundException.deletedWhileSubscribed(database.value());
      }
      seenHead = Math.max(seenHead, info.revision());
      return info.revision();
    }

    private boolean deliver(SubscriptionItem item) throws InterruptedException {
      if (out.offer(item)) {
        return true;
      }
      if (!out.isClosed()) {
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
      }
      return false;
    }
  }
}
