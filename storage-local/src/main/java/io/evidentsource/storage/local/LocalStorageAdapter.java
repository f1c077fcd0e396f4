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
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
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

  private final LocalStorage store;
  private final ConcurrentSkipListMap<DatabaseName, Log> databases = new ConcurrentSkipListMap<>();
  private final Object catalogLock = new Object();
  private final List<Consumer<DatabaseName>> listeners = new CopyOnWriteArrayList<>();
  private final boolean pipelined;
  private final WalSync walSync;

  /** One live database generation: its catalog entry, with the head as last committed. */
  private static final class Log {
    final DatabaseName name;
    final long generation;
    final Instant createdAt;
    final byte[] prefix; // {name} 0x00 {generation:8}
    volatile boolean deleted;
    volatile long head; // durable and visible to readers
    volatile Instant headTime;
    volatile long written; // head including pipelined appends not yet durable
    // pipelined appends written but not yet published, in revision order (guarded by this)
    final ArrayDeque<Pending> pending = new ArrayDeque<>();

    Log(DatabaseName name, long generation, Instant createdAt, long head, Instant headTime) {
      this.name = name;
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
    try (var it = store.db().newIterator(store.catalog)) {
      for (it.seek(new byte[] {DATABASE}); it.isValid() && it.key()[0] == DATABASE; it.next()) {
        var name = DatabaseName.of(new String(it.key(), 1, it.key().length - 1, Codec.UTF8));
        var in = new Codec.In(it.value());
        long generation = in.i64();
        Instant createdAt = in.instant();
        long head = in.i64();
        Instant headTime = in.instant();
        databases.put(name, new Log(name, generation, createdAt, head, headTime));
      }
      it.status();
    } catch (RocksDBException e) {
      throw store.failure("read the catalog", e);
    }
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
    synchronized (catalogLock) {
      if (databases.containsKey(name)) {
        throw new EvidentSourceException(
            ErrorCode.DATABASE_EXISTS,
            "database '" + name + "' already exists",
            Map.of("database", name.value()));
      }
      byte[] genKey = catalogKey(GENERATION, name);
      long generation;
      try {
        byte[] last = store.db().get(store.catalog, genKey);
        generation = last == null ? 1 : Codec.longAt(last, 0) + 1;
      } catch (RocksDBException e) {
        throw store.failure("read the generation of database '" + name + "'", e);
      }
      var log = new Log(name, generation, createdAt, 0, createdAt);
      try (var batch = new WriteBatch()) {
        batch.put(store.catalog, genKey, Codec.withLong(new byte[0], generation));
        batch.put(store.catalog, catalogKey(DATABASE, name), log.catalogValue(0, createdAt));
        store.write("create database '" + name + "'", batch);
      } catch (RocksDBException e) {
        throw store.failure("create database '" + name + "'", e);
      }
      databases.put(name, log);
      return log.info();
    }
  }

  @Override
  public void deleteDatabase(DatabaseName name) {
    synchronized (catalogLock) {
      var log = databases.get(name);
      if (log == null) {
        throw notFound(name);
      }
      synchronized (log) {
        byte[] end = prefix(name, log.generation + 1);
        try (var batch = new WriteBatch()) {
          batch.delete(store.catalog, catalogKey(DATABASE, name));
          batch.deleteRange(store.events, log.prefix, end);
          batch.deleteRange(store.transactions, log.prefix, end);
          store.write("delete database '" + name + "'", batch);
        } catch (RocksDBException e) {
          throw store.failure("delete database '" + name + "'", e);
        }
        databases.remove(name);
        log.deleted = true;
        log.notifyAll();
      }
    }
    tellListeners(name);
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
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void tellListeners(DatabaseName database) {
    for (var l : listeners) {
      l.accept(database);
    }
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
      tellListeners(request.database()); // published as written; pipelined: by awaitDurable
    }
    return outcome;
  }

  private AppendOutcome writeLocked(AppendRequest request) {
    var log = live(request.database(), request.generation());
    if (pipelined) {
      walSync.checkHealthy();
    }
    long movedTo;
    synchronized (log) {
      if (log.deleted) {
        throw notFound(request.database());
      }
      byte[] txKey = transactionKey(log, request.transactionId());
      var known = transaction(log, txKey, request.transactionId());
      if (known.isPresent()) {
        return new AppendOutcome.Duplicate(known.get());
      }
      if (log.written == request.expectedHead()) {
        return writeAtHead(log, request, txKey);
      }
      if (log.written == log.head) {
        return new AppendOutcome.HeadMoved(log.written);
      }
      movedTo = log.written;
    }
    // moved by appends not yet durable: wait for them, so that a caller that reads the head again
    // (findDatabase) finds it moved instead of trying again at once
    awaitDurable(request.database(), request.generation(), movedTo);
    return new AppendOutcome.HeadMoved(movedTo);
  }

  /** Writes the batch at the head; the caller holds the log's lock and checked the head. */
  private AppendOutcome writeAtHead(Log log, AppendRequest request, byte[] txKey) {
    List<Event> events = request.events();
    long first = log.written + 1;
    long last = log.written + events.size();
    Instant recorded = request.recordedTime();
    String operation = "append to database '" + log.name + "'";
    try (var batch = new WriteBatch()) {
      for (int k = 0; k < events.size(); k++) {
        batch.put(
            store.events, log.eventKey(first + k), EventCodec.encode(events.get(k), recorded));
      }
      batch.put(
          store.transactions, txKey, transactionValue(first, last, recorded, request.origin()));
      batch.put(store.catalog, catalogKey(DATABASE, log.name), log.catalogValue(last, recorded));
      if (pipelined) {
        store.writeUnsynced(operation, batch);
      } else {
        store.write(operation, batch);
      }
    } catch (RocksDBException e) {
      throw store.failure(operation, e);
    }
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
    if (ticket == 0) {
      throw new IllegalStateException(
          "revision " + revision + " of database '" + database + "' was never written");
    }
    walSync.await(ticket);
    boolean moved;
    synchronized (log) {
      moved = log.publishSynced(walSync.synced());
    }
    if (moved) {
      tellListeners(database);
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
    try (var options = new ReadOptions();
        RocksIterator it = store.db().newIterator(store.events, options)) {
      long expected = from;
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
      if (expected <= to) {
        throw missing(log, expected);
      }
    } catch (RocksDBException e) {
      throw store.failure("read database '" + database + "'", e);
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
    List<byte[]> values;
    try {
      List<ColumnFamilyHandle> families = Collections.nCopies(keys.size(), store.events);
      values = store.db().multiGetAsList(families, keys);
    } catch (RocksDBException e) {
      throw store.failure("read database '" + database + "'", e);
    }
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
    try {
      return store.db().get(store.transactions, key);
    } catch (RocksDBException e) {
      throw store.failure("read a transaction of database '" + log.name + "'", e);
    }
  }

  private Optional<TransactionResult> transaction(Log log, byte[] key, UUID id) {
    byte[] value;
    try {
      value = store.db().get(store.transactions, key);
    } catch (RocksDBException e) {
      throw store.failure("read a transaction of database '" + log.name + "'", e);
    }
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
