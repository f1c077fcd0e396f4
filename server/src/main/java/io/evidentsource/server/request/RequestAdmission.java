package io.evidentsource.server.request;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Fair admission of requests (docs/limits.md#requests-in-flight): at most {@link
 * Limits#perDatabase()} requests naming one database, and {@link Limits#perPrincipal()} requests of
 * one API key, are in flight at once. A request beyond a bound waits in a first-come-first-served
 * queue (a fair {@link Semaphore}) for up to {@link Limits#queueTimeout()}; when the queue already
 * holds {@link Limits#maxQueued()} requests, or the wait runs out, it is refused with {@link
 * ErrorCode#TOO_MANY_REQUESTS} (429 / RESOURCE_EXHAUSTED, {@code Retry-After: 1}) naming the limit
 * ({@code limit}, {@code limit_name}) and the {@code database} or {@code principal}.
 *
 * <p>So one database's or one client's flood holds at most its own bound of worker threads and CPU
 * (plus its waiting requests, which hold a thread each but no CPU), and a request of another
 * database or client is admitted at once. Appends to one database serialize on its log anyway, so
 * the bound costs a flooding client nothing it could have had.
 *
 * <p>The bookkeeping per database or principal exists only while it has requests in flight or
 * waiting, so made-up database names cost no memory once answered. Thread-safe.
 */
public final class RequestAdmission {
  /** The property of {@link Limits#perDatabase()}, named in refusals. */
  public static final String PER_DATABASE = "evidentsource.limits.max-requests-per-database";

  /** The property of {@link Limits#perPrincipal()}, named in refusals. */
  public static final String PER_PRINCIPAL = "evidentsource.limits.max-requests-per-principal";

  /** The property of {@link Limits#maxQueued()}, named in refusals. */
  public static final String MAX_QUEUED = "evidentsource.limits.max-queued-requests";

  /** The property of {@link Limits#queueTimeout()}, named in refusals. */
  public static final String QUEUE_TIMEOUT = "evidentsource.limits.request-queue-timeout";

  /**
   * The bounds.
   *
   * @param perDatabase most requests naming one database in flight at once, at least 1
   * @param perPrincipal most requests of one API key in flight at once, at least 1
   * @param maxQueued most requests waiting for a place of one database or one key, at least 0
   * @param queueTimeout longest wait for a place, not negative (zero: refuse at once)
   */
  public record Limits(int perDatabase, int perPrincipal, int maxQueued, Duration queueTimeout) {
    public Limits {
      if (perDatabase < 1) {
        throw new IllegalArgumentException(
            PER_DATABASE + " must be at least 1, was " + perDatabase);
      }
      if (perPrincipal < 1) {
        throw new IllegalArgumentException(
            PER_PRINCIPAL + " must be at least 1, was " + perPrincipal);
      }
      if (maxQueued < 0) {
        throw new IllegalArgumentException(MAX_QUEUED + " must be at least 0, was " + maxQueued);
      }
      if (queueTimeout.isNegative()) {
        throw new IllegalArgumentException(
            QUEUE_TIMEOUT + " must not be negative, was " + queueTimeout);
      }
    }
  }

  /** A place held by an admitted request; closing it (once or more) gives the place back. */
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  private static final Permit NONE = () -> {};

  private final Limits limits;
  private final Gates databases;
  private final Gates principals;

  public RequestAdmission(Limits limits) {
    this.limits = limits;
    this.databases = new Gates("database", limits.perDatabase(), PER_DATABASE);
    this.principals = new Gates("principal", limits.perPrincipal(), PER_PRINCIPAL);
  }

  /** The bounds in force. */
  public Limits limits() {
    return limits;
  }

  /**
   * Admits a request, waiting in line if its database or principal is at its bound.
   *
   * @param database the database the request names, or null for one that names none
   * @param principal the API key's name, or null when the request has none (security off, or no
   *     key)
   * @return the place to close when the request is done
   * @throws EvidentSourceException {@code TOO_MANY_REQUESTS} when the queue is full or the wait
   *     runs out (or the waiting thread is interrupted)
   */
  public Permit admit(@Nullable String database, @Nullable String principal) {
    // the key first: then one key's requests hold at most its bound plus its queue of threads,
    // however many databases they name
    Permit key = principal == null ? NONE : principals.enter(principal, limits);
    try {
      Permit db = database == null ? NONE : databases.enter(database, limits);
      var closed = new AtomicBoolean();
      return () -> {
        if (closed.compareAndSet(false, true)) {
          db.close();
          key.close();
        }
      };
    } catch (RuntimeException e) {
      key.close();
      throw e;
    }
  }

  /** Requests of the database in flight now (for tests and metrics). */
  public int inFlight(String database) {
    return databases.inFlight(database);
  }

  /** Requests waiting for a place of the database now (for tests and metrics). */
  public int waiting(String database) {
    return databases.waiting(database);
  }

  /** Requests of the principal in flight now (for tests and metrics). */
  public int inFlightOfPrincipal(String principal) {
    return principals.inFlight(principal);
  }

  /** Requests waiting for a place of the principal now (for tests and metrics). */
  public int waitingOfPrincipal(String principal) {
    return principals.waiting(principal);
  }

  /** Databases and principals with requests in flight or waiting (for tests). */
  int tracked() {
    return databases.gates.size() + principals.gates.size();
  }

  /** One fair semaphore per key while the key has requests; {@code users} changes in compute. */
  private static final class Gates {
    private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();
    private final String kind;
    private final int bound;
    private final String property;

    Gates(String kind, int bound, String property) {
      this.kind = kind;
      this.bound = bound;
      this.property = property;
    }

    Permit enter(String key, Limits limits) {
      Gate gate =
          gates.compute(
              key,
              (k, g) -> {
                Gate entered = g == null ? new Gate(bound) : g;
                entered.users++;
                return entered;
              });
      boolean admitted = false;
      try {
        admitted = acquire(gate, key, limits);
      } finally {
        if (!admitted) {
          leave(key);
        }
      }
      var closed = new AtomicBoolean();
      return () -> {
        if (closed.compareAndSet(false, true)) {
          gate.permits.release();
          leave(key);
        }
      };
    }

    private boolean acquire(Gate gate, String key, Limits limits) {
      try {
        // a timed try on a fair semaphore honours the queue (the untimed one would barge)
        if (gate.permits.tryAcquire(0, TimeUnit.NANOSECONDS)) {
          return true;
        }
        if (gate.waiting.incrementAndGet() > limits.maxQueued()) {
          gate.waiting.decrementAndGet();
          throw refused(key, "and " + limits.maxQueued() + " waiting", MAX_QUEUED);
        }
        try {
          if (gate.permits.tryAcquire(limits.queueTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
            return true;
          }
        } finally {
          gate.waiting.decrementAndGet();
        }
        throw refused(
            key,
            "and no place came free within " + limits.queueTimeout().toMillis() + " ms",
            QUEUE_TIMEOUT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw refused(key, "and the wait was interrupted", QUEUE_TIMEOUT);
      }
    }

    private EvidentSourceException refused(String key, String why, String queueProperty) {
      var fields = new LinkedHashMap<String, Object>();
      fields.put("limit", bound);
      fields.put("limit_name", property);
      fields.put(kind, key);
      fields.put("queue_limit_name", queueProperty);
      return new EvidentSourceException(
          ErrorCode.TOO_MANY_REQUESTS,
          kind
              + " '"
              + key
              + "' already has "
              + bound
              + " requests in flight ("
              + property
              + ") "
              + why
              + " ("
              + queueProperty
              + "); retry later",
          fields);
    }

    private void leave(String key) {
      gates.computeIfPresent(key, (k, g) -> --g.users == 0 ? null : g);
    }

    int inFlight(String key) {
      Gate gate = gates.get(key);
      return gate == null ? 0 : bound - gate.permits.availablePermits();
    }

    int waiting(String key) {
      Gate gate = gates.get(key);
      return gate == null ? 0 : gate.waiting.get();
    }
  }

  private static final class Gate {
    final Semaphore permits;
    final AtomicInteger waiting = new AtomicInteger();
    int users; // requests in flight or waiting; guarded by the map's compute

    Gate(int bound) {
      this.permits = new Semaphore(bound, true);
    }
  }
}
