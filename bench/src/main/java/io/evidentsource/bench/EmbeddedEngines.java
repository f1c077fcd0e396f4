package io.evidentsource.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded engines considered for durable single-node storage (ADR 0010), on the write that
 * matters: one transaction = n events of 500 bytes, the database's new head and an idempotency
 * record, committed atomically and synced to disk before it counts. Each client appends to its own
 * database (no compare-and-set conflicts), so what differs is how each engine commits and whether
 * concurrent commits share a sync.
 *
 * <ul>
 *   <li>{@code rocksdb}: one {@code WriteBatch} per transaction, {@code sync=true} (what
 *       storage-local does).
 *   <li>{@code sqlite}: one SQL transaction (inserts, head update), {@code journal_mode=WAL},
 *       {@code synchronous=FULL}; one connection per client, {@code busy_timeout} for the single
 *       writer lock.
 * </ul>
 *
 * <p>Options: {@code --seconds S} (5), {@code --clients "1 8"}, {@code --batches "1 25"}. Run:
 * {@code java -cp bench/target/benchmarks.jar io.evidentsource.bench.EmbeddedEngines}.
 */
public final class EmbeddedEngines {
  private static final byte[] PAYLOAD = new byte[500];

  private EmbeddedEngines() {}

  /** One engine, opened on a directory. */
  private interface Engine extends AutoCloseable {
    /** A writer for one client (its own database). */
    Writer writer(int client) throws Exception;

    @Override
    void close() throws SQLException;
  }

  /** Commits one transaction of {@code n} events. */
  private interface Writer extends AutoCloseable {
    void commit(int n) throws Exception;

    @Override
    default void close() throws SQLException {}
  }

  public static void main(String[] args) throws Exception {
    int seconds = 5;
    String clients = "1 8";
    String batches = "1 25";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--clients" -> clients = args[i + 1];
        case "--batches" -> batches = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf("%-8s %7s %5s %10s %10s%n", "engine", "clients", "batch", "tx/s", "events/s");
    for (int batch : numbers(batches)) {
      for (int c : numbers(clients)) {
        for (String engine : List.of("rocksdb", "sqlite")) {
          run(engine, c, batch, seconds);
        }
      }
    }
  }

  /** The whole numbers of a space-separated list ("1 8"). */
  private static List<Integer> numbers(String list) {
    return Pattern.compile("\\s+").splitAsStream(list.trim()).map(Integer::valueOf).toList();
  }

  private static void run(String name, int clients, int batch, int seconds) throws Exception {
    Path dir = Files.createTempDirectory("evidentsource-engines");
    try (Engine engine = name.equals("rocksdb") ? rocks(dir) : sqlite(dir)) {
      var stop = new AtomicBoolean();
      var commits = new AtomicLong();
      var failure = new AtomicReference<@Nullable Exception>();
      var threads = new ArrayList<Thread>();
      for (int c = 0; c < clients; c++) {
        Writer writer = engine.writer(c);
        var t =
            new Thread(
                () -> {
                  try (writer) {
                    while (!stop.get()) {
                      writer.commit(batch);
                      commits.incrementAndGet();
                    }
                  } catch (Exception e) {
                    failure.compareAndSet(null, e);
                  }
                });
        threads.add(t);
      }
      threads.forEach(Thread::start);
      Thread.sleep(1000); // warm-up
      long start = commits.get();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long done = commits.get() - start;
      double elapsed = (System.nanoTime() - t0) / 1e9;
      stop.set(true);
      for (var t : threads) {
        t.join();
      }
      Exception failed = failure.get();
      if (failed != null) {
        throw failed;
      }
      System.out.printf(
          Locale.ROOT,
          "%-8s %7d %5d %10.0f %10.0f%n",
          name,
          clients,
          batch,
          done / elapsed,
          done * batch / elapsed);
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Engine rocks(Path dir) throws Exception {
    RocksDB.loadLibrary();
    var options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
    var handles = new ArrayList<ColumnFamilyHandle>();
    var db =
        RocksDB.open(
            options,
            dir.toString(),
            List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY)),
            handles);
    var sync = new WriteOptions().setSync(true);
    return new Engine() {
      @Override
      public Writer writer(int client) {
        var revision = new AtomicLong();
        return n -> {
          try (var b = new WriteBatch()) {
            long first = revision.get() + 1;
            for (int i = 0; i < n; i++) {
              b.put(key(client, 'e', first + i), PAYLOAD);
            }
            b.put(key(client, 't', first), key(client, 'x', first + n - 1));
            b.put(key(client, 'h', 0), key(client, 'x', first + n - 1));
            db.write(sync, b);
            revision.addAndGet(n);
          }
        };
      }

      @Override
      public void close() {
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        sync.close();
        options.close();
      }
    };
  }

  private static byte[] key(int client, char kind, long n) {
    return ByteBuffer.allocate(13).putInt(client).put((byte) kind).putLong(n).array();
  }

  private static Engine sqlite(Path dir) throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("events.db");
    try (Connection c = DriverManager.getConnection(url);
        var s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute(
          "CREATE TABLE events (db INTEGER, rev INTEGER, payload BLOB, PRIMARY KEY (db, rev))"
              + " WITHOUT ROWID");
      s.execute("CREATE TABLE heads (db INTEGER PRIMARY KEY, rev INTEGER)");
      s.execute(
          "CREATE TABLE txs (db INTEGER, first INTEGER, last INTEGER, PRIMARY KEY (db, first))");
    }
    return new Engine() {
      @Override
      public Writer writer(int client) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        try (var s = c.createStatement()) {
          s.execute("PRAGMA synchronous=FULL");
          s.execute("PRAGMA busy_timeout=60000");
          s.execute("INSERT INTO heads VALUES (" + client + ", 0)");
        }
        c.setAutoCommit(false);
        var insert = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?)");
        var head = c.prepareStatement("UPDATE heads SET rev = ? WHERE db = ?");
        var tx = c.prepareStatement("INSERT INTO txs VALUES (?, ?, ?)");
        var revision = new AtomicLong();
        return new Writer() {
          @Override
          public void commit(int n) throws SQLException {
            long first = revision.get() + 1;
            for (int i = 0; i < n; i++) {
              insert.setInt(1, client);
              insert.setLong(2, first + i);
              insert.setBytes(3, PAYLOAD);
              insert.addBatch();
            }
            insert.executeBatch();
            head.setLong(1, first + n - 1);
            head.setInt(2, client);
            head.executeUpdate();
            tx.setInt(1, client);
            tx.setLong(2, first);
            tx.setLong(3, first + n - 1);
            tx.executeUpdate();
            c.commit();
            revision.addAndGet(n);
          }

          @Override
          public void close() throws SQLException {
            c.close();
          }
        };
      }

      @Override
      public void close() {}
    };
  }
}
