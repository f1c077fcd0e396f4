package io.evidentsource.storage.local;

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
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.ChangeNotifications;
import io.evidentsource.core.port.CommitListeners;
import io.evidentsource.core.port.StorageAdapter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The catalog, the event logs and the idempotency records of a {@link LocalStorage} directory.
 *
 * <p>The catalog is held in memory as well (loaded at open) so that {@link #findDatabase} and the
 * head check of an append cost no disk read. An append is a compare-and-set under the database's
 * lock: check the idempotency record and the head, then write the events, the transaction record
 * and the new head in one atomic {@link WriteBatch}, and only once it is on disk publish the new
 * head to readers and wake waiting subscribers. A reader therefore never sees a revision that is
 * not on disk, nor a revision before all lower ones.
 *
 * <p>With {@code sync=always} appends are pipelined ({@link #beginAppend}): the batch is written
 * without a sync under the lock, which is then released, and {@link #awaitDurable} syncs the
 * write-ahead log once for every batch written meanwhile ({@link WalSync}) before it publishes. So
 * the next append to the same database is checked and written while the previous sync is in flight,
 * and concurrent appends to one database or to many share syncs. The compare-and-set compares with
 * the head including written-but-unsynced appends; the log keeps their order, so an append becomes
 * durable no earlier than the ones it was checked against.
 */
public final class LocalStorageAdapter implements StorageAdapter, ChangeNotifications {
  private static final byte DATABASE = 'd';
  private static final byte GENERATION = 'g';
  private static final byte DELETE_KEY = 'x';

  private final LocalStorage store;
  private final ConcurrentSkipListMap<DatabaseName, Log> databases = new ConcurrentSkipListMap<>();
  private final Object catalogLock = new Object();
  private final CommitListeners listeners = new CommitListeners();
  private final boolean pipelined;
  private final WalSync walSync;

  /** One live database generation: its catalog entry, with the head as last committed. */
  private static final class Log {
    final DatabaseName name;
    final long generation;
    final Instant createdAt;
    final byte[] prefix; // {name} 0x00 {generation:8}
    final long epoch; // the store's epoch when loaded; a reopen makes this log stale
    volatile boolean deleted;
    volatile boolean stale; // replaced by a log reloaded from disk after a reopen
    volatile long head; // durable and visible to readers
    volatile Instant headTime;
    volatile long written; // head including pipelined appends not yet durable
    // pipelined appends written but not yet published, in revision order (guarded by this)
    final ArrayDeque<Pending> pending = new ArrayDeque<>();

    Log(
        DatabaseName name,
        long generation,
        Instant createdAt,
        long head,
        Instant headTime,
        long epoch) {
      this.name = name;
      this.epoch = epoch;
      this.generation = generation;
      this.createdAt = createdAt;
      this.prefix = prefix(name, generation);
      this.head = head;
      this.headTime = headTime;
      this.written = head;
    }

    /**
     * Publishes the pending appends whose writes are on disk. Caller holds this lock.
     *
     * @return whether the head moved
     */
    boolean publishSynced(long syncedTicket) {
      boolean moved = false;
      Pending p;
      while ((p = pending.peekFirst()) != null && p.ticket() <= syncedTicket) {
        pending.removeFirst();
        headTime = p.time();
        head = p.revision();
        moved = true;
      }
      if (moved) {
        notifyAll();
      }
      return moved;
    }

    DatabaseInfo info() {
      long h;
      Instant t;
      synchronized (this) {
        h = head;
        t = headTime;
      }
      return new DatabaseInfo(name, generation, createdAt, h, t);
    }

    byte[] catalogValue(long newHead, Instant newHeadTime) {
      return new Codec.Out(48)
          .i64(generation)
          .instant(createdAt)
          .i64(newHead)
          .instant(newHeadTime)
          .toBytes();
    }

    byte[] eventKey(long revision) {
      return Codec.withLong(prefix, revision);
    }
  }

  /** A pipelined append written without a sync: its last revision, time and sync ticket. */
  private record Pending(long revision, Instant time, long ticket) {}

  LocalStorageAdapter(LocalStorage store) {
    this.store = store;
    this.pipelined = store.syncsEveryCommit();
    this.walSync = new WalSync(() -> store.syncWal("sync the write-ahead log"));
    databases.putAll(loadCatalog());
  }

  private Map<DatabaseName, Log> loadCatalog() {
    long epoch = store.epoch();
    return store.read(
        "read the catalog",
        db -> {
          var out = new TreeMap<DatabaseName, Log>();
          try (var it = db.newIterator(store.catalog)) {
            for (it.seek(new byte[] {DATABASE});
                it.isValid() && it.key()[0] == DATABASE;
                it.next()) {
              var name = DatabaseName.of(new String(it.key(), 1, it.key().length - 1, Codec.UTF8));
              var in = new Codec.In(it.value());
              long generation = in.i64();
              Instant createdAt = in.instant();
              long head = in.i64();
              Instant headTime = in.instant();
              out.put(name, new Log(name, generation, createdAt, head, headTime, epoch));
            }
            it.status();
          }
          return out;
        });
  }

  /**
   * Runs the store's reopen under the catalog lock, so no database is created or deleted meanwhile.
   */
  void underCatalogLock(Runnable reopen) {
    synchronized (catalogLock) {
      reopen.run();
    }
  }

  /**
   * After the store reopened the directory (under its write lock and the catalog lock): replaces
   * every log by one read from disk (appends written before the failure that the reopen recovered
   * are in it, pending ones that were lost are not) and forgets the failed syncs.
   *
   * @return what to run once the write lock is released: wake the waiters of the replaced logs
   */
  List<Runnable> reload() {
    var fresh = loadCatalog();
    var replaced = new ArrayList<Log>(databases.values());
    replaced.forEach(log -> log.stale = true);
    databases.putAll(fresh); // replace, never empty the map: readers look names up meanwhile
    databases.keySet().retainAll(fresh.keySet());
    walSync.reset();
    return List.of(
        () -> {
          for (var log : replaced) {
            synchronized (log) {
              log.notifyAll();
            }
          }
          replaced.forEach(log -> listeners.tell(log.name));
        });
  }

  static byte[] prefix(DatabaseName name, long generation) {
    byte[] n = Codec.utf8(name.value());
    return ByteBuffer.allocate(n.length + 9).put(n).put((byte) 0).putLong(generation).array();
  }

  private static byte[] catalogKey(byte kind, DatabaseName name) {
    byte[] n = Codec.utf8(name.value());
    byte[] key = new byte[n.length + 1];
    key[0] = kind;
    System.arraycopy(n, 0, key, 1, n.length);
    return key;
  }

  @Override
  public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
    store.recoverIfBroken();
    synchronized (catalogLock) {
      if (databases.containsKey(name)) {
        throw new EvidentSourceException(
            ErrorCode.DATABASE_EXISTS,
            "database '" + name + "' already exists",
            Map.of("database", name.value()));
      }
      byte[] genKey = catalogKey(GENERATION, name);
      byte[] last =
          store.read(
              "read the generation of database '" + name + "'",
              db -> db.get(store.catalog, genKey));
      long generation = last == null ? 1 : Codec.longAt(last, 0) + 1;
      var log = new Log(name, generation, createdAt, 0, createdAt, store.epoch());
      store.write(
          "create database '" + name + "'",
          batch -> {
            batch.put(store.catalog, genKey, Codec.withLong(new byte[0], generation));
            batch.put(store.catalog, catalogKey(DATABASE, name), log.catalogValue(0, createdAt));
          });
      databases.put(name, log);
      return log.info();
    }
  }

  /**
   * The lowest generation of the name whose components must stay: the live database's generation,
   * or, when none is live, one above the last generation ever given to the name (the generation a
   * database created next would get). Every generation below it is deleted for good, since
   * generations only grow. Read under the catalog lock, so a create or delete is wholly before or
   * after it.
   */
  long firstKeptGeneration(DatabaseName name) {
    synchronized (catalogLock) {
      var log = databases.get(name);
      if (log != null) {
        return log.generation;
      }
      byte[] genKey = catalogKey(GENERATION, name);
      byte[] last =
          store.read(
              "read the generation of database '" + name + "'",
              db -> db.get(store.catalog, genKey));
      return last == null ? 1 : Codec.longAt(last, 0) + 1;
    }
  }

  @Override
  public boolean deleteDatabase(DatabaseName name, @Nullable String deleteKey) {
    store.recoverIfBroken();
    byte[] keyKey = catalogKey(DELETE_KEY, name);
    synchronized (catalogLock) {
      if (deleteKey != null) {
        byte[] last =
            store.read(
                "read the last deletion of database '" + name + "'",
                db -> db.get(store.catalog, keyKey));
        if (last != null && deleteKey.equals(new String(last, Codec.UTF8))) {
          return false; // the same delete sent again: it succeeded before
        }
      }
      var log = databases.get(name);
      if (log == null) {
        throw notFound(name);
      }
      synchronized (log) {
        byte[] end = prefix(name, log.generation + 1);
        store.write(
            "delete database '" + name + "'",
            batch -> {
              batch.delete(store.catalog, catalogKey(DATABASE, name));
              batch.deleteRange(store.events, log.prefix, end);
              batch.deleteRange(store.transactions, log.prefix, end);
              if (deleteKey == null) {
                batch.delete(store.catalog, keyKey);
              } else {
                batch.put(store.catalog, keyKey, Codec.utf8(deleteKey));
              }
            });
        databases.remove(name);
        log.deleted = true;
        log.notifyAll();
      }
    }
    listeners.tell(name);
    return true;
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

  /**
   * Appends durably: with {@code sync=always} a {@link #beginAppend} and then {@link #awaitDurable}
   * (sharing the sync with concurrent appends), else one write synced per the sync mode.
   */
  @Override
  public AppendOutcome append(AppendRequest request) {
    AppendOutcome outcome = write(request);
    if (pipelined) {
      long revision =
          outcome.match(c -> c.result().revision(), moved -> 0L, d -> d.original().revision());
      if (revision > 0) {
        awaitDurable(request.database(), request.generation(), revision);
      }
    }
    return outcome;
  }

  @Override
  public AutoCloseable listen(Consumer<DatabaseName> listener) {
    return listeners.add(listener);
  }

  /**
   * With {@code sync=always}: writes the batch without a sync and returns; {@link #awaitDurable}
   * syncs (once for all appends written meanwhile) and publishes. Otherwise as {@link #append}.
   */
  @Override
  public AppendOutcome beginAppend(AppendRequest request) {
    return write(request);
  }

  private AppendOutcome write(AppendRequest request) {
    AppendOutcome outcome = writeLocked(request);
    if (!pipelined && outcome instanceof AppendOutcome.Committed) {
      listeners.tell(request.database()); // published as written; pipelined: by awaitDurable
    }
    return outcome;
  }

  private AppendOutcome writeLocked(AppendRequest request) {
    store.recoverIfBroken();
    String operation = "append to database '" + request.database() + "'";
    if (pipelined) {
      try {
        walSync.checkHealthy();
      } catch (EvidentSourceException e) {
        throw store.refusal(operation, e);
      }
    }
    long movedTo;
    while (true) {
      var log = live(request.database(), request.generation());
      synchronized (log) {
        if (log.deleted) {
          throw notFound(request.database());
        }
        if (log.stale) {
          continue; // the directory was reopened: take the log read from disk
        }
        byte[] txKey = transactionKey(log, request.transactionId());
        var known = transaction(log, txKey, request.transactionId());
        if (known.isPresent()) {
          return new AppendOutcome.Duplicate(known.get());
        }
        if (log.written == request.expectedHead()) {
          try {
            return writeAtHead(log, request, txKey);
          } catch (LocalStorage.StaleEpochException e) {
            continue;
          }
        }
        if (log.written == log.head) {
          return new AppendOutcome.HeadMoved(log.written);
        }
        movedTo = log.written;
        break;
      }
    }
    // moved by appends not yet durable: wait for them, so that a caller that reads the head again
    // (findDatabase) finds it moved instead of trying again at once
    try {
      awaitDurable(request.database(), request.generation(), movedTo);
    } catch (EvidentSourceException e) {
      throw store.refusal(operation, e); // their sync failed; this append wrote nothing
    }
    return new AppendOutcome.HeadMoved(movedTo);
  }

  /** Writes the batch at the head; the caller holds the log's lock and checked the head. */
  private AppendOutcome writeAtHead(Log log, AppendRequest request, byte[] txKey) {
    List<Event> events = request.events();
    long first = log.written + 1;
    long last = log.written + events.size();
    Instant recorded = request.recordedTime();
    String operation = "append to database '" + log.name + "'";
    var encoded = new ArrayList<byte[]>(events.size());
    for (Event event : events) {
      encoded.add(EventCodec.encode(event, recorded));
    }
    byte[] txValue = transactionValue(first, last, recorded, request.origin());
    byte[] catalogValue = log.catalogValue(last, recorded);
    store.write(
        operation,
        log.epoch,
        !pipelined,
        batch -> {
          for (int k = 0; k < encoded.size(); k++) {
            batch.put(store.events, log.eventKey(first + k), encoded.get(k));
          }
          batch.put(store.transactions, txKey, txValue);
          batch.put(store.catalog, catalogKey(DATABASE, log.name), catalogValue);
        });
    log.written = last;
    if (pipelined) {
      log.pending.addLast(new Pending(last, recorded, walSync.ticket()));
    } else {
      log.headTime = recorded;
      log.head = last; // publish only now: the batch is on disk (or with the OS, per the mode)
      log.notifyAll();
    }
    return new AppendOutcome.Committed(
        new TransactionResult(
            request.transactionId(), first, last, events.size(), recorded, false));
  }

  @Override
  public void awaitDurable(DatabaseName database, long generation, long revision) {
    var log = databases.get(database);
    if (log == null || log.generation != generation) {
      return; // deleted since: nothing to publish
    }
    long ticket = 0;
    synchronized (log) {
      if (log.head >= revision || log.deleted) {
        return;
      }
      for (Pending p : log.pending) {
        if (p.revision() >= revision) {
          ticket = p.ticket();
          break;
        }
      }
    }
    if (log.stale) {
      confirmRecovered(database, generation, revision, null);
      return;
    }
    if (ticket == 0) {
      throw new IllegalStateException(
          "revision " + revision + " of database '" + database + "' was never written");
    }
    try {
      walSync.await(ticket);
    } catch (EvidentSourceException e) {
      // the sync failed (a full disk): the write is in the log but not known to be on disk;
      // reopening (once there is room) replays the log and tells
      store.recoverIfBroken();
      confirmRecovered(database, generation, revision, e);
      return;
    }
    if (log.stale) {
      confirmRecovered(database, generation, revision, null);
      return;
    }
    boolean moved;
    synchronized (log) {
      moved = log.publishSynced(walSync.synced());
    }
    if (moved) {
      listeners.tell(database);
    }
  }

  /**
   * Returns when the reopened directory holds {@code revision} of the database, else throws: {@code
   * COMMIT_UNKNOWN} while the directory could not be reopened (the write may be in the log), the
   * failure of the write otherwise.
   */
  private void confirmRecovered(
      DatabaseName database, long generation, long revision, @Nullable EvidentSourceException e) {
    var current = databases.get(database);
    if (current == null || current.generation != generation) {
      return; // deleted since: nothing to publish
    }
    if (!current.stale && current.head >= revision) {
      return; // the reopen recovered it from the log and wrote it to table files
    }
    String reason =
        e == null ? "the write was lost when the directory was reopened" : e.getMessage();
    if (!current.stale && !store.broken()) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "revision "
              + revision
              + " of database '"
              + database
              + "' was not stored in "
              + store.dataDir()
              + ": "
              + reason,
          Map.of("database", database.value(), "revision", revision),
          e);
    }
    throw new EvidentSourceException(
        ErrorCode.COMMIT_UNKNOWN,
        "local storage could not confirm that revision "
            + revision
            + " of database '"
            + database
            + "' is on disk ("
            + reason
            + "); once writes resume, send the transaction again with its transaction_id: if it"
            + " was stored, the original result comes back as a duplicate, else it is appended"
            + " once",
        Map.of("database", database.value(), "revision", revision),
        e);
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
      while (log.head <= revision && !log.deleted && !log.stale) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        log.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  @Override
  public List<StoredEvent> readRange(
      DatabaseName database, long generation, long fromRevision, long toRevision) {
    var log = live(database, generation);
    long to = Math.min(toRevision, log.head);
    long from = Math.max(1, fromRevision);
    if (from > to) {
      return List.of();
    }
    var out = new ArrayList<StoredEvent>((int) Math.min(to - from + 1, 4096));
    long next =
        store.read(
            "read database '" + database + "'",
            db -> {
              long expected = from;
              try (var options = new ReadOptions();
                  RocksIterator it = db.newIterator(store.events, options)) {
                for (it.seek(log.eventKey(from)); it.isValid() && expected <= to; it.next()) {
                  byte[] key = it.key();
                  if (!startsWith(key, log.prefix)) {
                    break;
                  }
                  long revision = Codec.longAt(key, log.prefix.length);
                  if (revision != expected) {
                    break;
                  }
                  out.add(EventCodec.decode(revision, it.value()));
                  expected++;
                }
                it.status();
              }
              return expected;
            });
    if (next <= to) {
      throw missing(log, next);
    }
    return out;
  }

  @Override
  public List<StoredEvent> readRevisions(DatabaseName database, long generation, long[] revisions) {
    var log = live(database, generation);
    long head = log.written; // a pipelined append's own duplicate-id check reads pending events
    var keys = new ArrayList<byte[]>(revisions.length);
    for (long r : revisions) {
      if (r < 1 || r > head) {
        throw new RevisionNotFoundException(database.value(), r, head);
      }
      keys.add(log.eventKey(r));
    }
    List<byte[]> values =
        store.read(
            "read database '" + database + "'",
            db -> {
              List<ColumnFamilyHandle> families = Collections.nCopies(keys.size(), store.events);
              return db.multiGetAsList(families, keys);
            });
    var out = new ArrayList<StoredEvent>(revisions.length);
    for (int i = 0; i < revisions.length; i++) {
      byte[] value = values.get(i);
      if (value == null) {
        throw missing(log, revisions[i]);
      }
      out.add(EventCodec.decode(revisions[i], value));
    }
    return out;
  }

  @Override
  public Optional<TransactionResult> findTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    var log = live(database, generation);
    return transaction(log, transactionKey(log, transactionId), transactionId);
  }

  @Override
  public Optional<TransactionRecord> readTransaction(
      DatabaseName database, long generation, UUID transactionId) {
    var log = live(database, generation);
    byte[] value = transactionValue(log, transactionKey(log, transactionId));
    if (value == null) {
      return Optional.empty();
    }
    var in = new Codec.In(value);
    long first = in.i64();
    long last = in.i64();
    var result =
        new TransactionResult(
            transactionId, first, last, (int) (last - first + 1), in.instant(), false);
    // a record written before the audit existed ends here
    var origin =
        in.hasRemaining()
            ? new TransactionOrigin(in.str(), in.str(), in.str(), in.optStr(), in.optStr())
            : TransactionOrigin.UNKNOWN;
    return Optional.of(new TransactionRecord(result, origin));
  }

  /** A transaction record: its revision range, time, then the audit origin. */
  private static byte[] transactionValue(
      long first, long last, Instant recorded, TransactionOrigin origin) {
    return new Codec.Out(128)
        .i64(first)
        .i64(last)
        .instant(recorded)
        .str(origin.principal())
        .str(origin.origin())
        .str(origin.requestId())
        .optStr(origin.remoteAddress())
        .optStr(origin.userAgent())
        .toBytes();
  }

  private byte @Nullable [] transactionValue(Log log, byte[] key) {
    return store.read(
        "read a transaction of database '" + log.name + "'", db -> db.get(store.transactions, key));
  }

  private Optional<TransactionResult> transaction(Log log, byte[] key, UUID id) {
    byte[] value = transactionValue(log, key);
    if (value == null) {
      return Optional.empty();
    }
    var in = new Codec.In(value);
    long first = in.i64();
    long last = in.i64();
    return Optional.of(
        new TransactionResult(id, first, last, (int) (last - first + 1), in.instant(), false));
  }

  private static byte[] transactionKey(Log log, UUID id) {
    return ByteBuffer.allocate(log.prefix.length + 16)
        .put(log.prefix)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  /** A revision at or below the head that is not stored: the database was deleted meanwhile. */
  private EvidentSourceException missing(Log log, long revision) {
    if (log.deleted || databases.get(log.name) != log) {
      return notFound(log.name);
    }
    return new EvidentSourceException(
        ErrorCode.INTERNAL,
        "local storage lost revision "
            + revision
            + " of database '"
            + log.name
            + "' (head "
            + log.head
            + ") in "
            + store.dataDir(),
        Map.of("database", log.name.value(), "revision", revision));
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
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
