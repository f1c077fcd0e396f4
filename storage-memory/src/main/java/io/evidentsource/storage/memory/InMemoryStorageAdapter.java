package io.evidentsource.storage.memory;

import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.error.DatabaseNotFoundException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.error.RevisionNotFoundException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.model.Utf8;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.CommitListeners;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keeps every database on the heap. Events sit in fixed-size chunks that never move, so readers
 * need no lock: they read the volatile head first and then only revisions up to it. Commit times
 * are kept once per transaction, not per event. Waiting subscribers are woken on the log's monitor
 * by every commit and by deletion.
 *
 * <p>The heap the events take is estimated per event ({@link #footprint}) and bounded by a budget:
 * an append that would go beyond it is refused with {@code STORAGE_FULL} and stores nothing, while
 * reads go on; deleting a database gives its share back (docs/limits.md#storage).
 */
public final class InMemoryStorageAdapter implements StorageAdapter, ChangeNotifications {
  private static final int CHUNK_BITS = 10;
  private static final int CHUNK = 1 << CHUNK_BITS;

  /**
   * Estimated heap per stored event beyond its strings: the event record and its data object, the
   * chunk slot, the transaction boundary, and the core's index postings and id hash for it.
   */
  static final int EVENT_OVERHEAD_BYTES = 256;

  /** Estimated heap per distinct attribute value: the String and its entry in the shared map. */
  static final int STRING_OVERHEAD_BYTES = 96;

  /** The property that sets the budget, named in {@code STORAGE_FULL} errors. */
  public static final String BUDGET_PROPERTY = "evidentsource.memory.max-bytes";

  private final ConcurrentSkipListMap<DatabaseName, Log> databases = new ConcurrentSkipListMap<>();
  private final Map<DatabaseName, Long> generations = new HashMap<>();
  // the key of each name's last deletion, when it had one (guarded by generations)
  private final Map<DatabaseName, String> deleteKeys = new HashMap<>();
  private final long maxBytes;
  private final AtomicLong usedBytes = new AtomicLong();
  private final CommitListeners listeners = new CommitListeners();

  /** An adapter without a budget (tests and embedding). */
  public InMemoryStorageAdapter() {
    this(Long.MAX_VALUE);
  }

  /**
   * @param maxBytes the budget for stored events, in estimated heap bytes, ≥ 1
   */
  public InMemoryStorageAdapter(long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException(BUDGET_PROPERTY + " must be positive, was " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** The budget for stored events in estimated heap bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  /** The estimated heap the stored events of every database take now, in bytes. */
  public long usedBytes() {
    return usedBytes.get();
  }

  /** A log's head revision and the commit time of that revision's transaction. */
  private record Tip(long head, Instant time) {}

  /** One database generation's log. */
  private static final class Log {
    final DatabaseName name;
    final long generation;
    final Instant createdAt;
    volatile boolean deleted;
    volatile Event[][] chunks = new Event[0][];
    // transaction boundaries: txLast[i] is the last revision of transaction i, txTime its time
    volatile long[] txLast = new long[8];
    volatile long[] txEpochNanos = new long[8];
    volatile int txCount;
    final TransactionIds transactions = new TransactionIds();
    // the audit origin of transaction i (guarded by the log's monitor)
    final List<TransactionOrigin> origins = new ArrayList<>();
    // shares one String per distinct stream, type, subject and content type across events
    final Map<String, String> strings = new HashMap<>();
    volatile long head;
    // the head and its commit time together, for info() without the log's lock (which an append
    // holds): written after head, so a reader seeing it also sees every event up to its head
    volatile Tip tip;
    // estimated heap of this log's events (guarded by the log's monitor)
    long bytes;

    Log(DatabaseName name, long generation, Instant createdAt) {
      this.name = name;
      this.generation = generation;
      this.createdAt = createdAt;
      this.tip = new Tip(0, createdAt);
    }

    DatabaseInfo info() {
      Tip t = tip; // one read: never a head paired with another commit's time
      return new DatabaseInfo(name, generation, createdAt, t.head(), t.time());
    }

    Event event(long revision) {
      long i = revision - 1;
      return chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))];
    }

    Instant recordedTime(long revision) {
      return instant(txEpochNanos[ordinal(revision)]);
    }

    /** The ordinal of the transaction holding {@code revision}. */
    int ordinal(long revision) {
      int n = txCount;
      long[] last = txLast;
      int lo = 0;
      int hi = n - 1;
      while (lo < hi) { // first transaction whose last revision >= revision
        int mid = (lo + hi) >>> 1;
        if (last[mid] < revision) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    TransactionResult result(int ordinal) {
      long first = ordinal == 0 ? 1 : txLast[ordinal - 1] + 1;
      long last = txLast[ordinal];
      return new TransactionResult(
          transactions.id(ordinal),
          first,
          last,
          (int) (last - first + 1),
          instant(txEpochNanos[ordinal]),
          false);
    }
  }

  @Override
  public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
    synchronized (generations) {
      var existing = databases.get(name);
      if (existing != null) {
        throw new EvidentSourceException(
            ErrorCode.DATABASE_EXISTS,
            "database '" + name + "' already exists",
            Map.of("database", name.value()));
      }
      long generation = generations.merge(name, 1L, Long::sum);
      var log = new Log(name, generation, createdAt);
      databases.put(name, log);
      return log.info();
    }
  }

  /**
   * The lowest generation of the name whose components must stay: the live database's generation,
   * or, when none is live, the generation a database created next would get. Every generation below
   * it is deleted for good.
   */
  long firstKeptGeneration(DatabaseName name) {
    synchronized (generations) {
      var log = databases.get(name);
      return log != null ? log.generation : generations.getOrDefault(name, 0L) + 1;
    }
  }

  @Override
  public boolean deleteDatabase(DatabaseName name, @Nullable String deleteKey) {
    synchronized (generations) {
      if (deleteKey != null && deleteKey.equals(deleteKeys.get(name))) {
        return false; // the same delete sent again: it succeeded before
      }
      var log = databases.remove(name);
      if (log == null) {
        throw notFound(name);
      }
      if (deleteKey == null) {
        deleteKeys.remove(name);
      } else {
        deleteKeys.put(name, deleteKey);
      }
      synchronized (log) {
        log.deleted = true;
        usedBytes.addAndGet(-log.bytes);
        log.bytes = 0;
        log.notifyAll();
      }
    }
    listeners.tell(name);
    return true;
  }

  @Override
  public AutoCloseable listen(Consumer<DatabaseName> listener) {
    return listeners.add(listener);
  }

  @Override
  public List<DatabaseInfo> listDatabases() {
    var out = new ArrayList<DatabaseInfo>();
    for (var log : databases.values()) {
      out.add(log.info());
    }
    return out;
  }

  @Override
  public Optional<DatabaseInfo> findDatabase(DatabaseName name) {
    var log = databases.get(name);
    return log == null ? Optional.empty() : Optional.of(log.info());
  }

  @Override
  public AppendOutcome append(AppendRequest request) {
    AppendOutcome outcome = appendLocked(request);
    if (outcome instanceof AppendOutcome.Committed) {
      listeners.tell(request.database());
    }
    return outcome;
  }

  private AppendOutcome appendLocked(AppendRequest request) {
    var log = live(request.database(), request.generation());
    synchronized (log) {
      if (log.deleted) {
        throw notFound(request.database());
      }
      int known = log.transactions.find(request.transactionId());
      if (known >= 0) {
        return new AppendOutcome.Duplicate(log.result(known));
      }
      if (log.head != request.expectedHead()) {
        return new AppendOutcome.HeadMoved(log.head);
      }
      List<Event> events = request.events();
      long footprint = reserve(log, events);
      long first = log.head + 1;
      long last = log.head + events.size();
      ensureCapacity(log, last);
      Event[][] chunks = log.chunks;
      for (int k = 0; k < events.size(); k++) {
        long i = first - 1 + k;
        chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))] = canonical(log, events.get(k));
      }
      log.bytes += footprint;
      int n = log.txCount;
      if (n == log.txLast.length) {
        long[] grownLast = Arrays.copyOf(log.txLast, n * 2);
        long[] grownTime = Arrays.copyOf(log.txEpochNanos, n * 2);
        grownLast[n] = last;
        grownTime[n] = epochNanos(request.recordedTime());
        log.txLast = grownLast;
        log.txEpochNanos = grownTime;
      } else {
        log.txLast[n] = last;
        log.txEpochNanos[n] = epochNanos(request.recordedTime());
      }
      log.txCount = n + 1;
      log.transactions.add(request.transactionId()); // ordinal n
      log.origins.add(request.origin());
      var result =
          new TransactionResult(
              request.transactionId(), first, last, events.size(), request.recordedTime(), false);
      log.head = last; // publish: everything above is visible to readers who see this head
      log.tip = new Tip(last, request.recordedTime());
      log.notifyAll(); // wake subscribers waiting in awaitBeyond
      return new AppendOutcome.Committed(result);
    }
  }

  @Override
  public boolean awaitBeyond(DatabaseName database, long revision, Duration timeout)
      throws InterruptedException {
    var log = databases.get(database);
    if (log == null) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (log) {
      while (log.head <= revision && !log.deleted) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        long millis = Math.max(1, left / 1_000_000);
        log.wait(millis);
      }
      return true;
    }
  }

  /**
   * Takes the batch's estimated footprint from the budget, or refuses the batch with {@code
   * STORAGE_FULL} when the budget cannot hold it. Called under the log's monitor.
   */
  private long reserve(Log log, List<Event> events) {
    long footprint = 0;
    for (Event e : events) {
      footprint += footprint(log, e);
    }
    long after = usedBytes.addAndGet(footprint);
    if (after > maxBytes) {
      long before = usedBytes.addAndGet(-footprint);
      var fields = new LinkedHashMap<String, Object>();
      fields.put("database", log.name.value());
      fields.put("limit", maxBytes);
      fields.put("actual", before);
      fields.put("requested", footprint);
      fields.put("limit_name", BUDGET_PROPERTY);
      throw new EvidentSourceException(
          ErrorCode.STORAGE_FULL,
          "the in-memory storage holds "
              + before
              + " bytes of events (estimated) and this transaction needs "
              + footprint
              + " more, beyond the budget "
              + BUDGET_PROPERTY
              + " ("
              + maxBytes
              + " bytes); reads still work; delete databases or raise the budget",
          fields);
    }
    return footprint;
  }

  /**
   * The estimated heap one event adds: a fixed overhead, its id, time, extensions and data, and
   * those attribute values (stream, type, subject, content type, schema) this log does not hold
   * yet. Strings are counted at their UTF-8 length, an upper bound of their compact heap form.
   */
  static long footprint(Log log, Event e) {
    long bytes = (long) EVENT_OVERHEAD_BYTES + Utf8.length(e.id());
    bytes += newString(log, e.source()) + newString(log, e.type());
    bytes += newString(log, e.subject()) + newString(log, e.dataContentType());
    bytes += newString(log, e.dataSchema());
    if (e.time() != null) {
      bytes += 64 + e.time().text().length();
    }
    for (var x : e.extensions().entrySet()) {
      bytes += STRING_OVERHEAD_BYTES + x.getKey().length();
      if (x.getValue() instanceof String v) {
        bytes += Utf8.length(v);
      }
    }
    if (e.data() != null) {
      bytes += e.data().sizeBytes();
    }
    return bytes;
  }

  private static long newString(Log log, @Nullable String value) {
    return value == null || log.strings.containsKey(value)
        ? 0
        : STRING_OVERHEAD_BYTES + Utf8.length(value);
  }

  /** The same event, with repeated attribute values replaced by one shared String each. */
  @SuppressWarnings("ReferenceEquality") // identity is the question: is each value the shared one?
  private static Event canonical(Log log, Event e) {
    String source = intern(log, e.source());
    String type = intern(log, e.type());
    String subject = e.subject() == null ? null : intern(log, e.subject());
    String contentType = e.dataContentType() == null ? null : intern(log, e.dataContentType());
    String schema = e.dataSchema() == null ? null : intern(log, e.dataSchema());
    if (source == e.source()
        && type == e.type()
        && subject == e.subject()
        && contentType == e.dataContentType()
        && schema == e.dataSchema()) {
      return e;
    }
    return new Event(
        e.id(), source, type, subject, e.time(), contentType, schema, e.extensions(), e.data());
  }

  private static String intern(Log log, String value) {
    String shared = log.strings.putIfAbsent(value, value);
    return shared == null ? value : shared;
  }

  private static void ensureCapacity(Log log, long lastRevision) {
    int needed = (int) ((lastRevision - 1) >>> CHUNK_BITS) + 1;
    Event[][] cs = log.chunks;
    if (needed > cs.length) {
      Event[][] grown = Arrays.copyOf(cs, Math.max(needed, cs.length * 2));
      for (int c = cs.length; c < grown.length; c++) {
        grown[c] = new Event[CHUNK];
      }
      log.chunks = grown;
    }
  }

  @Override
  public List<StoredEvent> readRange(
      DatabaseName database, long generation, long fromRevision, long toRevision) {
    var log = live(database, generation);
    long head = log.head;
    long to = Math.min(toRevision, head);
    long from = Math.max(1, fromRevision);
    if (from > to) {
      return List.of();
    }
    var out = new ArrayList<StoredEvent>((int) (to - from + 1));
    for (long r = from; r <= to; r++) {
      out.add(new StoredEvent(r, log.recordedTime(r), log.event(r)));
    }
    return out;
  }

  @Override
  public List<StoredEvent> readRevisions(DatabaseName database, long generation, long[] revisions) {
    var log = live(database, generation);
    long head = log.head;
    var out = new ArrayList<StoredEvent>(revisions.length);
    for (long r : revisions) {
      if (r < 1 || r > head) {
        throw new RevisionNotFoundException(database.value(), r, head);
      }
      out.add(new StoredEvent(r, log.recordedTime(r), log.event(r)));
    }
    return out;
  }

  @Override
  public Optional<TransactionResult> findTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    var log = live(database, generation);
    synchronized (log) {
      int ordinal = log.transactions.find(transactionId);
      return ordinal < 0 ? Optional.empty() : Optional.of(log.result(ordinal));
    }
  }

  @Override
  public Optional<TransactionRecord> readTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    var log = live(database, generation);
    synchronized (log) {
      int ordinal = log.transactions.find(transactionId);
      return ordinal < 0
          ? Optional.empty()
          : Optional.of(new TransactionRecord(log.result(ordinal), log.origins.get(ordinal)));
    }
  }

  private static long epochNanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  private static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }

  private Log live(DatabaseName name, long generation) {
    var log = databases.get(name);
    if (log == null || log.generation != generation || log.deleted) {
      throw notFound(name);
    }
    return log;
  }

  private static DatabaseNotFoundException notFound(DatabaseName name) {
    return new DatabaseNotFoundException(name.value());
  }
}
