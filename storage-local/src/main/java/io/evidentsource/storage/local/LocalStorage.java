package io.evidentsource.storage.local;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.port.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * One open data directory: a RocksDB database with a column family per kind of record, shared by
 * the {@link LocalStorageAdapter} (catalog, logs, idempotency records) and the {@link
 * LocalComponentRegistry} (published components and module bytes). Open it with {@link #open},
 * close it once at shutdown.
 *
 * <p>Column families (keys are byte strings, numbers big-endian so that they sort):
 *
 * <ul>
 *   <li>{@code catalog}: {@code d{name}} → the live database (generation, created at, head, head
 *       time); {@code g{name}} → the last generation ever given to the name.
 *   <li>{@code events}: {@code {name} 0x00 {generation:8} {revision:8}} → the stored event.
 *   <li>{@code transactions}: {@code {name} 0x00 {generation:8} {transaction id:16}} → first and
 *       last revision and recorded time (idempotency records).
 *   <li>{@code components}: {@code {name} 0x00 {generation:8} {kind:1} {component} 0x00
 *       {version:4}} → the definition and module digest; {@code modules}: {@code {sha256 hex}} →
 *       the module bytes (shared by identical modules).
 * </ul>
 *
 * <p>Every change is one atomic {@link WriteBatch}. With {@link SyncMode#ALWAYS} each write syncs
 * the write-ahead log before it returns; RocksDB's write group commits concurrent writers' batches
 * with one sync. The directory is locked by RocksDB's {@code LOCK} file: a second process (or a
 * second open in this one) fails with a message naming the directory.
 */
public final class LocalStorage implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LocalStorage.class.getName());

  static {
    RocksDB.loadLibrary();
  }

  /** Free space, beyond the size of the write-ahead log, that a reopen after a failure needs. */
  static final long REOPEN_MARGIN_BYTES = 4L << 20;

  private final Path dataDir;
  private final LocalStorageOptions options;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final DBOptions dbOptions;
  private final List<ColumnFamilyDescriptor> descriptors;
  // the open database and its handles: replaced by a reopen after a failed write, under the
  // gate's write lock; every use holds its read lock (a closed handle must never be touched)
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private @Nullable RocksDB db;
  private boolean readOnly;
  private boolean closed;
  ColumnFamilyHandle catalog;
  ColumnFamilyHandle events;
  ColumnFamilyHandle transactions;
  ColumnFamilyHandle components;
  ColumnFamilyHandle modules;
  // the failure that stopped writes (a full disk); null while writes work
  private volatile @Nullable EvidentSourceException broken;
  private final AtomicLong epoch = new AtomicLong();
  private volatile long reopenPauseNanos = TimeUnit.SECONDS.toNanos(1);
  private long lastReopenNanos;
  private final WriteOptions writeOptions;
  private final WriteOptions unsyncedWrites;
  private final @Nullable ScheduledExecutorService syncer;
  private volatile @Nullable BatchWriter writer;
  private volatile long intervalSynced;
  private volatile @Nullable Runnable beforeSync;
  private final LocalStorageAdapter adapter;
  private final LocalComponentRegistry registry;

  /** Writes a batch: the RocksDB write in production, a failing one in tests. */
  interface BatchWriter {
    void write(WriteOptions options, WriteBatch batch) throws RocksDBException;
  }

  private LocalStorage(LocalStorageOptions options) {
    this.options = options;
    this.dataDir = options.dataDir().toAbsolutePath();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create the data directory " + dataDir + " (evidentsource.local.data-dir): " + e,
          e);
    }
    var table = new BlockBasedTableConfig();
    table.setFilterPolicy(own(new BloomFilter(10)));
    var cfOptions =
        own(new ColumnFamilyOptions())
            .setTableFormatConfig(table)
            .setCompressionType(CompressionType.LZ4_COMPRESSION);
    var names = List.of("default", "catalog", "events", "transactions", "components", "modules");
    descriptors = new ArrayList<>();
    for (String name : names) {
      descriptors.add(new ColumnFamilyDescriptor(Codec.utf8(name), cfOptions));
    }
    dbOptions =
        own(new DBOptions())
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            // a torn last record (a crash mid-write, never acknowledged) is dropped; recovery stops
            // at the first damaged record, so the log comes back as a consistent prefix
            .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
            .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
            .setKeepLogFileNum(5)
            .setParanoidChecks(true);
    try {
      openDb(false);
    } catch (RocksDBException e) {
      closeResources();
      throw openFailure(dataDir, e);
    }
    // the fields are set by openDb; the compiler cannot see it
    catalog = handles.get(1);
    events = handles.get(2);
    transactions = handles.get(3);
    components = handles.get(4);
    modules = handles.get(5);
    writeOptions = own(new WriteOptions()).setSync(options.sync() == SyncMode.ALWAYS);
    unsyncedWrites = own(new WriteOptions()).setSync(false);
    try {
      checkFormat();
      adapter = new LocalStorageAdapter(this);
      registry = new LocalComponentRegistry(this, adapter);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    if (options.sync() == SyncMode.INTERVAL) {
      long millis = Math.max(1, options.syncInterval().toMillis());
      syncer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                var t = new Thread(r, "evidentsource-local-wal-sync");
                t.setDaemon(true);
                return t;
              });
      // syncWal logs its own failures and close() stops the executor: the future has nothing to
      // tell
      var unused =
          syncer.scheduleWithFixedDelay(this::syncWal, millis, millis, TimeUnit.MILLISECONDS);
    } else {
      syncer = null;
    }
  }

  /**
   * Opens (creating when missing) the data directory.
   *
   * @throws IllegalStateException when the directory cannot be created, is locked by another
   *     process, or holds data this version cannot read; the message names the directory
   */
  public static LocalStorage open(LocalStorageOptions options) {
    return new LocalStorage(options);
  }

  /**
   * This directory as the core's storage bundle: the log, push notifications (waiters wake on
   * commit), the component registry, not shared across instances; closing it closes this directory.
   */
  public Storage storage() {
    return Storage.builder(adapter)
        .pushNotifications(adapter)
        .components(registry)
        .sharedAcrossInstances(false)
        .onClose(this)
        .build();
  }

  /** The catalog, logs and idempotency records. */
  public LocalStorageAdapter storageAdapter() {
    return adapter;
  }

  /** Published components and their module bytes. */
  public LocalComponentRegistry componentRegistry() {
    return registry;
  }

  /** The absolute path of the data directory. */
  public Path dataDir() {
    return dataDir;
  }

  /** The options this directory was opened with. */
  public LocalStorageOptions options() {
    return options;
  }

  /**
   * Writes a consistent copy of the whole data directory, as of one moment, to {@code target} while
   * the server keeps running (a RocksDB checkpoint: files are hard-linked where the file system
   * allows, copied otherwise). The copy is a data directory: start a server on it, or restore it
   * with {@link #restore}.
   *
   * @param target a path that must not exist yet; its parent must exist
   * @throws EvidentSourceException {@code MALFORMED_REQUEST} when the target exists, {@code
   *     INTERNAL} when RocksDB fails (the message says why)
   */
  public void backup(Path target) {
    Path absolute = target.toAbsolutePath();
    if (Files.exists(absolute)) {
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_REQUEST,
          "the backup target " + absolute + " exists already; name a new directory",
          Map.of("target", absolute.toString()));
    }
    read(
        "backup to " + absolute,
        rocks -> {
          try (var checkpoint = Checkpoint.create(rocks)) {
            rocks.flushWal(true);
            checkpoint.createCheckpoint(absolute.toString());
          }
          return null;
        });
  }

  /**
   * Restores a backup made by {@link #backup} into {@code dataDir}, which must not exist or be
   * empty; no server may be running on it. The restored directory is opened once to check it.
   *
   * @throws IllegalStateException naming the directory when it is not empty or the backup cannot be
   *     opened
   */
  public static void restore(Path backup, Path dataDir) {
    Path from = backup.toAbsolutePath();
    Path to = dataDir.toAbsolutePath();
    if (!Files.isRegularFile(from.resolve("CURRENT"))) {
      throw new IllegalStateException(
          from + " is not a backup of a data directory (it has no CURRENT file)");
    }
    try {
      if (Files.exists(to)) {
        try (var entries = Files.list(to)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalStateException(
                "the data directory "
                    + to
                    + " is not empty; restore into a new or empty directory and point"
                    + " evidentsource.local.data-dir at it");
          }
        }
      }
      Files.createDirectories(to);
      try (var files = Files.list(from)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Files.copy(file, to.resolve(file.getFileName()));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot restore " + from + " into " + to + ": " + e, e);
    }
    open(LocalStorageOptions.of(to)).close();
  }

  /** Runs {@code hook} before each sync of a pipelined append (tests hold a sync in flight). */
  void beforeSync(@Nullable Runnable hook) {
    this.beforeSync = hook;
  }

  /** Replaces the batch writer (tests simulate a failing disk with it). */
  void writer(@Nullable BatchWriter replacement) {
    this.writer = replacement;
  }

  /** How long a reopen waits after the previous attempt (tests set 0). */
  void reopenPause(Duration pause) {
    this.reopenPauseNanos = pause.toNanos();
  }

  /** A call on the open database; runs under the gate's read lock. */
  interface RocksCall<T extends @Nullable Object> {
    T call(RocksDB db) throws RocksDBException;
  }

  /**
   * Runs a read (or any call that must not see the database closed under it) on the open database.
   *
   * @throws EvidentSourceException {@code INTERNAL} naming the operation and RocksDB's reason
   */
  <T extends @Nullable Object> T read(String operation, RocksCall<T> call) {
    gate.readLock().lock();
    try {
      return call.call(rocks(operation));
    } catch (RocksDBException e) {
      throw failure(operation, e);
    } finally {
      gate.readLock().unlock();
    }
  }

  /** The reopen count: a {@link LocalStorageAdapter} log loaded before a reopen is stale. */
  long epoch() {
    return epoch.get();
  }

  /** Fills a write batch; runs under the gate's read lock, so it may use the column families. */
  interface BatchBuilder {
    void build(WriteBatch batch) throws RocksDBException;
  }

  /**
   * Writes one batch atomically, synced per the sync mode.
   *
   * @throws EvidentSourceException {@code STORAGE_FULL} when the disk is full (now or since an
   *     earlier write failed and no space has come back), {@code INTERNAL} naming the operation and
   *     RocksDB's reason otherwise; nothing of the batch is visible then
   */
  void write(String operation, BatchBuilder batch) {
    write(operation, batch, writeOptions, -1);
  }

  /**
   * As {@link #write(String, BatchBuilder)} for state read in {@code epoch}; {@code synced} false
   * leaves the sync to a later {@link #syncWal(String)} (a pipelined append).
   *
   * @throws StaleEpochException when the directory was reopened since: read the state again
   */
  void write(String operation, long epoch, boolean synced, BatchBuilder batch) {
    write(operation, batch, synced ? writeOptions : unsyncedWrites, epoch);
  }

  private void write(String operation, BatchBuilder builder, WriteOptions options, long epoch) {
    gate.readLock().lock();
    try (var batch = new WriteBatch()) {
      if (epoch >= 0 && epoch != this.epoch.get()) {
        throw new StaleEpochException();
      }
      var failed = broken;
      if (failed != null) {
        throw refusalFor(operation, failed);
      }
      var rocks = rocks(operation);
      builder.build(batch);
      var w = writer;
      if (w != null) {
        w.write(options, batch);
      } else {
        rocks.write(options, batch);
      }
    } catch (RocksDBException e) {
      throw broke(operation, e);
    } finally {
      gate.readLock().unlock();
    }
  }

  /** The directory was reopened since the caller read its state. */
  static final class StaleEpochException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StaleEpochException() {
      super("the data directory was reopened", null, false, false);
    }
  }

  /**
   * Syncs the write-ahead log: every batch written before the call is on disk when it returns.
   *
   * @throws EvidentSourceException {@code STORAGE_FULL} or {@code INTERNAL} naming the operation
   *     and RocksDB's reason
   */
  void syncWal(String operation) {
    var hook = beforeSync;
    if (hook != null) {
      hook.run();
    }
    gate.readLock().lock();
    try {
      var failed = broken;
      if (failed != null) {
        throw failed;
      }
      rocks(operation).flushWal(true);
    } catch (RocksDBException e) {
      throw broke(operation, e);
    } finally {
      gate.readLock().unlock();
    }
  }

  /**
   * The sequence number of the last write the periodic sync of {@code sync=interval} made durable
   * (0 before its first sync); compare with {@link #latestSequence}.
   */
  long intervalSynced() {
    return intervalSynced;
  }

  /** The sequence number of the last write to the directory (RocksDB's, one per batch entry). */
  long latestSequence() {
    return read("read the latest sequence number", RocksDB::getLatestSequenceNumber);
  }

  /** Whether every commit is synced before it is acknowledged ({@code sync=always}). */
  boolean syncsEveryCommit() {
    return options.sync() == SyncMode.ALWAYS;
  }

  /** Whether a write failed and writes are refused until {@link #recoverIfBroken} reopens. */
  boolean broken() {
    return broken != null;
  }

  /**
   * After a failed write (a full disk): when the file system has room again, reopens the database
   * so that writes resume. RocksDB refuses every write once a write-ahead-log append failed (its
   * log writer keeps the error) and RocksJava cannot resume it, so the database is closed and
   * opened again: the open replays the log (a record torn by the failure is dropped, as after a
   * crash), writes the recovered data to table files and starts a new log. Called by writers before
   * they take a lock; {@code underCatalogLock} runs the reopen under the adapter's catalog lock,
   * and the adapter reloads its catalog from disk. Does nothing while writes work, while the disk
   * is still full, or within the reopen pause of the previous attempt.
   */
  void recoverIfBroken() {
    if (broken == null) {
      return;
    }
    synchronized (this) {
      long now = System.nanoTime();
      if (lastReopenNanos != 0 && now - lastReopenNanos < reopenPauseNanos) {
        return;
      }
      if (!roomToReopen()) {
        return;
      }
      lastReopenNanos = now;
    }
    adapter.underCatalogLock(this::reopen);
  }

  /**
   * Whether the file system holds the write-ahead log's size again plus {@link
   * #REOPEN_MARGIN_BYTES}: the open after a failure writes the log's data to table files.
   */
  private boolean roomToReopen() {
    try {
      long wal = 0;
      try (var files = Files.list(dataDir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (f.getFileName().toString().endsWith(".log")) {
            wal += Files.size(f);
          }
        }
      }
      return Files.getFileStore(dataDir).getUsableSpace() >= wal + REOPEN_MARGIN_BYTES;
    } catch (IOException e) {
      LOG.log(Level.FINE, "checking the free space of " + dataDir + " failed", e);
      return false;
    }
  }

  /** Closes and opens the database; the caller holds the adapter's catalog lock. */
  private void reopen() {
    List<Runnable> after;
    gate.writeLock().lock();
    try {
      if (broken == null || closed) {
        return;
      }
      closeDb();
      try {
        openDb(false);
        LOG.warning(
            "local storage in " + dataDir + " reopened after a failed write: writes resume");
        broken = null;
      } catch (RocksDBException e) {
        LOG.log(
            Level.WARNING,
            "reopening " + dataDir + " after a failed write failed; open read-only meanwhile",
            e);
        try {
          openDb(true);
        } catch (RocksDBException again) {
          LOG.log(Level.SEVERE, "opening " + dataDir + " read-only failed as well", again);
        }
      }
      epoch.incrementAndGet();
      after = db == null ? List.of() : adapter.reload();
    } finally {
      gate.writeLock().unlock();
    }
    after.forEach(Runnable::run);
  }

  /** Opens the database and its column family handles; the caller holds the write lock. */
  private void openDb(boolean readOnlyOpen) throws RocksDBException {
    var opened = new ArrayList<ColumnFamilyHandle>();
    db =
        readOnlyOpen
            ? RocksDB.openReadOnly(dbOptions, dataDir.toString(), descriptors, opened)
            : RocksDB.open(dbOptions, dataDir.toString(), descriptors, opened);
    readOnly = readOnlyOpen;
    handles.clear();
    handles.addAll(opened);
    catalog = opened.get(1);
    events = opened.get(2);
    transactions = opened.get(3);
    components = opened.get(4);
    modules = opened.get(5);
  }

  /** Closes the database and its handles; the caller holds the write lock. */
  private void closeDb() {
    var rocks = db;
    if (rocks == null) {
      return;
    }
    handles.forEach(LocalStorage::close);
    handles.clear();
    try {
      rocks.closeE();
    } catch (RocksDBException e) {
      LOG.log(Level.FINE, "closing " + dataDir + " after a failed write reported", e);
    }
    db = null;
  }

  private RocksDB rocks(String operation) {
    var rocks = db;
    if (rocks == null || closed) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "local storage cannot "
              + operation
              + ": the data directory "
              + dataDir
              + (closed ? " is closed" : " could not be opened again after a failed write"),
          Map.of("operation", operation, "data_dir", dataDir.toString()));
    }
    return rocks;
  }

  /**
   * A failed write: writes stop until {@link #recoverIfBroken} reopens the database. The first
   * failure is kept as the cause (a full disk), not the errors that follow from it.
   */
  private EvidentSourceException broke(String operation, RocksDBException e) {
    var failure = failure(operation, e);
    if (failure.code() != ErrorCode.STORAGE_FULL && usableSpace() < FULL_BELOW_BYTES) {
      // an error that follows from a full disk ("Writer has previous error" of a sync racing the
      // write that ran out of space) is the full disk
      failure = diskFull(operation, reason(e), e);
    }
    synchronized (this) {
      var earlier = broken;
      if (earlier == null
          || (earlier.code() != ErrorCode.STORAGE_FULL
              && failure.code() == ErrorCode.STORAGE_FULL)) {
        broken = failure;
      }
    }
    return failure;
  }

  /** Below this much free space a failed write counts as a full disk whatever RocksDB says. */
  private static final long FULL_BELOW_BYTES = 1L << 20;

  private long usableSpace() {
    try {
      return Files.getFileStore(dataDir).getUsableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The error for a write refused because an earlier write or sync failed: {@code STORAGE_FULL}
   * when the disk was full, else {@code INTERNAL}.
   *
   * @param otherwise returned when no failure of this directory stands (the caller's own error)
   */
  EvidentSourceException refusal(String operation, EvidentSourceException otherwise) {
    var failed = broken;
    return failed == null ? otherwise : refusalFor(operation, failed);
  }

  /** A write refused while an earlier failure stands. */
  private EvidentSourceException refusalFor(String operation, EvidentSourceException cause) {
    if (cause.code() == ErrorCode.STORAGE_FULL) {
      return new EvidentSourceException(
          ErrorCode.STORAGE_FULL,
          "local storage cannot "
              + operation
              + ": the disk of the data directory "
              + dataDir
              + " is full; nothing was stored. Reads keep working; writes resume once the file"
              + " system has free space for the write-ahead log plus "
              + (REOPEN_MARGIN_BYTES >> 20)
              + " MiB",
          diskFullFields(operation),
          cause);
    }
    return new EvidentSourceException(
        ErrorCode.INTERNAL,
        "local storage cannot " + operation + " after an earlier failure: " + cause.getMessage(),
        Map.of("operation", operation, "data_dir", dataDir.toString()),
        cause);
  }

  private Map<String, Object> diskFullFields(String operation) {
    return Map.of(
        "operation", operation, "data_dir", dataDir.toString(), "limit_name", DISK_LIMIT_NAME);
  }

  /** The limit a full disk reaches, named in {@code STORAGE_FULL} errors. */
  static final String DISK_LIMIT_NAME = "free space of evidentsource.local.data-dir";

  /**
   * The error of a failed RocksDB call: {@code STORAGE_FULL} when the disk is full ("No space left
   * on device"), else {@code INTERNAL}; the message names the operation, the data directory and
   * RocksDB's reason.
   */
  EvidentSourceException failure(String operation, RocksDBException e) {
    Status status = e.getStatus();
    String reason = reason(e);
    boolean noSpace =
        (status != null && status.getSubCode() == Status.SubCode.NoSpace)
            || reason.toLowerCase(Locale.ROOT).contains("no space");
    if (noSpace) {
      return diskFull(operation, reason, e);
    }
    return new EvidentSourceException(
        ErrorCode.INTERNAL,
        "local storage failed to " + operation + " in " + dataDir + ": " + reason,
        Map.of("operation", operation, "data_dir", dataDir.toString()),
        e);
  }

  private static String reason(RocksDBException e) {
    Status status = e.getStatus();
    return status == null
        ? String.valueOf(e.getMessage())
        : status.getCodeString() + ": " + e.getMessage();
  }

  private EvidentSourceException diskFull(String operation, String reason, RocksDBException e) {
    return new EvidentSourceException(
        ErrorCode.STORAGE_FULL,
        "local storage failed to "
            + operation
            + " in "
            + dataDir
            + ": "
            + reason
            + "; the disk of the data directory is full: nothing of this operation was stored."
            + " Reads keep working; free space, then retry",
        diskFullFields(operation),
        e);
  }

  private static IllegalStateException openFailure(Path dir, RocksDBException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("LOCK") || message.toLowerCase(Locale.ROOT).contains("lock")) {
      return new IllegalStateException(
          "the data directory "
              + dir
              + " is in use by another EvidentSource process (its LOCK file is held): stop that"
              + " server, or point evidentsource.local.data-dir at another directory ("
              + message
              + ")",
          e);
    }
    return new IllegalStateException(
        "cannot open the data directory " + dir + " (evidentsource.local.data-dir): " + message, e);
  }

  private void checkFormat() {
    byte[] key = Codec.utf8("format");
    try {
      var rocks = rocks("read the storage format");
      byte[] stored = rocks.get(key);
      if (stored == null) {
        rocks.put(writeOptions, key, new Codec.Out(4).i32(Codec.FORMAT).toBytes());
      } else if (new Codec.In(stored).i32() != Codec.FORMAT) {
        throw new IllegalStateException(
            "the data directory "
                + dataDir
                + " has storage format "
                + new Codec.In(stored).i32()
                + "; this server reads format "
                + Codec.FORMAT);
      }
    } catch (RocksDBException e) {
      throw failure("read the storage format", e);
    }
  }

  private void syncWal() {
    gate.readLock().lock();
    try {
      var rocks = db;
      if (rocks != null && !readOnly && broken == null) {
        long through = rocks.getLatestSequenceNumber();
        rocks.flushWal(true);
        intervalSynced = through;
      }
    } catch (RocksDBException e) {
      LOG.log(Level.WARNING, "syncing the write-ahead log in " + dataDir + " failed", e);
      var unused = broke("sync the write-ahead log", e);
    } finally {
      gate.readLock().unlock();
    }
  }

  private <T extends AutoCloseable> T own(T resource) {
    resources.add(resource);
    return resource;
  }

  /** Syncs the write-ahead log and closes the directory; idempotent. */
  @Override
  public void close() {
    if (syncer != null) {
      syncer.shutdownNow();
    }
    gate.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      var rocks = db;
      if (rocks != null && !readOnly) {
        try {
          rocks.flushWal(true);
          // a clean stop writes the memtables to table files, so the next start replays no log
          try (var flush = new FlushOptions().setWaitForFlush(true)) {
            rocks.flush(flush, List.of(catalog, events, transactions, components, modules));
          }
        } catch (RocksDBException e) {
          LOG.log(Level.WARNING, "syncing " + dataDir + " at close failed", e);
        }
      }
      // column family handles before the database, the database before its options
      handles.forEach(LocalStorage::close);
      handles.clear();
      if (rocks != null) {
        try {
          rocks.closeE();
        } catch (RocksDBException e) {
          LOG.log(Level.WARNING, "closing " + dataDir + " failed", e);
        }
        db = null;
      }
      closeResources();
    } finally {
      gate.writeLock().unlock();
    }
  }

  private void closeResources() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      close(resources.get(i));
    }
    resources.clear();
  }

  private static void close(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "closing a RocksDB resource failed", e);
    }
  }
}
