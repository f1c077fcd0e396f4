package io.evidentsource.storage.local;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.port.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

  private final Path dataDir;
  private final LocalStorageOptions options;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final RocksDB db;
  final ColumnFamilyHandle catalog;
  final ColumnFamilyHandle events;
  final ColumnFamilyHandle transactions;
  final ColumnFamilyHandle components;
  final ColumnFamilyHandle modules;
  private final WriteOptions writeOptions;
  private final WriteOptions unsyncedWrites;
  private final @Nullable ScheduledExecutorService syncer;
  private volatile @Nullable BatchWriter writer;
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
    var descriptors = new ArrayList<ColumnFamilyDescriptor>();
    for (String name : names) {
      descriptors.add(new ColumnFamilyDescriptor(Codec.utf8(name), cfOptions));
    }
    var dbOptions =
        own(new DBOptions())
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            // a torn last record (a crash mid-write, never acknowledged) is dropped; recovery stops
            // at the first damaged record, so the log comes back as a consistent prefix
            .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
            .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
            .setKeepLogFileNum(5)
            .setParanoidChecks(true);
    var handles = new ArrayList<ColumnFamilyHandle>();
    try {
      db = RocksDB.open(dbOptions, dataDir.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      closeResources();
      throw openFailure(dataDir, e);
    }
    handles.forEach(this::own);
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
      registry = new LocalComponentRegistry(this);
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
    try (var checkpoint = Checkpoint.create(db)) {
      db.flushWal(true);
      checkpoint.createCheckpoint(absolute.toString());
    } catch (RocksDBException e) {
      throw failure("backup to " + absolute, e);
    }
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

  /**
   * Writes one batch atomically, synced per the sync mode.
   *
   * @throws EvidentSourceException {@code INTERNAL} naming the operation and RocksDB's reason (for
   *     example "No space left on device"); nothing of the batch is visible then
   */
  void write(String operation, WriteBatch batch) {
    try {
      var w = writer;
      if (w != null) {
        w.write(writeOptions, batch);
      } else {
        db.write(writeOptions, batch);
      }
    } catch (RocksDBException e) {
      throw failure(operation, e);
    }
  }

  /**
   * Writes one batch atomically without syncing the write-ahead log, for a pipelined append that
   * syncs later ({@link #syncWal(String)}); errors as {@link #write}.
   */
  void writeUnsynced(String operation, WriteBatch batch) {
    try {
      var w = writer;
      if (w != null) {
        w.write(unsyncedWrites, batch);
      } else {
        db.write(unsyncedWrites, batch);
      }
    } catch (RocksDBException e) {
      throw failure(operation, e);
    }
  }

  /**
   * Syncs the write-ahead log: every batch written before the call is on disk when it returns.
   *
   * @throws EvidentSourceException {@code INTERNAL} naming the operation and RocksDB's reason
   */
  void syncWal(String operation) {
    var hook = beforeSync;
    if (hook != null) {
      hook.run();
    }
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      throw failure(operation, e);
    }
  }

  /** Whether every commit is synced before it is acknowledged ({@code sync=always}). */
  boolean syncsEveryCommit() {
    return options.sync() == SyncMode.ALWAYS;
  }

  RocksDB db() {
    return db;
  }

  EvidentSourceException failure(String operation, RocksDBException e) {
    Status status = e.getStatus();
    String reason =
        status == null ? e.getMessage() : status.getCodeString() + ": " + e.getMessage();
    String hint =
        reason != null && reason.toLowerCase(Locale.ROOT).contains("no space")
            ? "; the disk of the data directory is full: free space, then retry (nothing of this"
                + " operation was stored)"
            : "";
    return new EvidentSourceException(
        ErrorCode.INTERNAL,
        "local storage failed to " + operation + " in " + dataDir + ": " + reason + hint,
        Map.of("operation", operation, "data_dir", dataDir.toString()),
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
      byte[] stored = db.get(key);
      if (stored == null) {
        db.put(writeOptions, key, new Codec.Out(4).i32(Codec.FORMAT).toBytes());
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
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      LOG.log(Level.WARNING, "syncing the write-ahead log in " + dataDir + " failed", e);
    }
  }

  private <T extends AutoCloseable> T own(T resource) {
    resources.add(resource);
    return resource;
  }

  /** Syncs the write-ahead log and closes the directory; idempotent. */
  @Override
  public synchronized void close() {
    if (syncer != null) {
      syncer.shutdownNow();
    }
    if (resources.isEmpty()) {
      return;
    }
    try {
      db.flushWal(true);
      // a clean stop writes the memtables to table files, so the next start replays no log
      try (var flush = new FlushOptions().setWaitForFlush(true)) {
        db.flush(flush, List.of(catalog, events, transactions, components, modules));
      }
    } catch (RocksDBException e) {
      LOG.log(Level.WARNING, "syncing " + dataDir + " at close failed", e);
    }
    // column family handles before the database, the database before its options
    for (int i = resources.size() - 1; i >= 0; i--) {
      if (resources.get(i) instanceof ColumnFamilyHandle) {
        close(resources.get(i));
      }
    }
    try {
      db.closeE();
    } catch (RocksDBException e) {
      LOG.log(Level.WARNING, "closing " + dataDir + " failed", e);
    }
    resources.removeIf(r -> r instanceof ColumnFamilyHandle);
    closeResources();
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
