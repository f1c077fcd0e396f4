package io.evidentsource.bench;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.local.LocalStorage;
import io.evidentsource.storage.local.LocalStorageOptions;
import io.evidentsource.storage.local.SyncMode;
import io.evidentsource.storage.memory.InMemoryStorage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Guarded appends to one database on the {@code local} profile with {@code sync=always}, in the
 * process and without HTTP, so that the storage's commit path is what is measured
 * (docs/benchmarks.md#local-storage-against-postgresql): each client appends back to back to the
 * same database, every append carrying one {@code max} condition ("nothing for my subject after the
 * revision I saw", which holds), events of {@link Workload}'s shape with 500 bytes of data.
 *
 * <p>Options: {@code --clients 1,8}, {@code --batch 1,25}, {@code --seconds 8}, {@code --warmup 2},
 * {@code --dir PATH} (a fresh temporary directory per cell, deleted afterwards), {@code --storage
 * always,interval,memory} (the storages measured in turn, each cell on each: {@code always} and
 * {@code interval} are {@code evidentsource.local.sync} on local storage, {@code memory} the
 * in-memory adapter, which separates the sync's cost from the rest of the commit path). Prints one
 * line per cell: appends/s, events/s, p50 and p99 in ms, and the CPU time of the appending threads
 * per append in µs (what the commit costs, apart from waiting for the disk or for a CPU). Run:
 * {@code java -cp bench/target/benchmarks.jar io.evidentsource.bench.LocalAppends}.
 */
public final class LocalAppends {
  private LocalAppends() {}

  public static void main(String[] args) throws Exception {
    int[] clients = {1, 8};
    int[] batches = {1, 25};
    int seconds = 8;
    int warmup = 2;
    Path root = null;
    String[] storages = {"always"};
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--clients" -> clients = ints(args[i + 1]);
        case "--batch" -> batches = ints(args[i + 1]);
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--dir" -> root = Path.of(args[i + 1]);
        case "--storage" -> storages = args[i + 1].split(",");
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.println(
        "| storage | clients | events per append | appends/s | events/s | p50 ms | p99 ms | CPU"
            + " µs/append | load |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int batch : batches) {
      for (int c : clients) {
        for (String kind : storages) {
          Path dir =
              root == null
                  ? Files.createTempDirectory("evidentsource-appends")
                  : Files.createDirectories(root.resolve("c" + c + "-b" + batch));
          try (Storage storage = open(kind, dir)) {
            cell(kind, storage, c, batch, seconds, warmup);
          } finally {
            delete(dir);
          }
        }
      }
    }
  }

  private static Storage open(String kind, Path dir) {
    return switch (kind) {
      case "always" -> LocalStorage.open(LocalStorageOptions.of(dir)).storage();
      case "interval" ->
          LocalStorage.open(
                  new LocalStorageOptions(
                      dir, SyncMode.INTERVAL, LocalStorageOptions.DEFAULT_SYNC_INTERVAL))
              .storage();
      case "memory" -> InMemoryStorage.create();
      default ->
          throw new IllegalArgumentException(
              "--storage takes always, interval or memory, was " + kind);
    };
  }

  private static void cell(
      String kind, Storage storage, int clients, int batch, int seconds, int warmup)
      throws Exception {
    var threadsBean = ManagementFactory.getThreadMXBean();
    var store =
        new EventStore(
            storage.log(),
            EventLimits.defaults(),
            Clock.systemUTC(),
            UUID::randomUUID,
            Duration.ofSeconds(30));
    var db = DatabaseName.of("appends");
    store.createDatabase(db);
    var measuring = new AtomicBoolean();
    var stop = new AtomicBoolean();
    var latencies = new ArrayList<long[]>();
    var counts = new long[clients];
    var cpu = new long[clients];
    var threads = new ArrayList<Thread>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      long[] own = new long[1 << 20];
      latencies.add(own);
      var t =
          new Thread(
              () -> {
                String subject = "client-" + client;
                long seen = 0;
                long seq = 0;
                long cpuAtStart = -1;
                while (!stop.get()) {
                  if (cpuAtStart < 0 && measuring.get()) {
                    cpuAtStart = threadsBean.getCurrentThreadCpuTime();
                  }

                  var events = new ArrayList<Event>(batch);
                  for (int k = 0; k < batch; k++, seq++) {
                    events.add(
                        Workload.event(client + "-" + seq, k % 6, subject, data(subject, seq)));
                  }
                  long start = System.nanoTime();
                  TransactionResult r =
                      store.transact(
                          db,
                          Transaction.of(
                              events,
                              List.of(AppendCondition.max(EventSelector.subject(subject), seen))));
                  long nanos = System.nanoTime() - start;
                  seen = r.revision();
                  if (measuring.get()) {
                    int n = (int) counts[client];
                    if (n < own.length) {
                      own[n] = nanos;
                    }
                    counts[client]++;
                    cpu[client] = threadsBean.getCurrentThreadCpuTime() - cpuAtStart;
                  }
                }
              },
              "client-" + c);
      threads.add(t);
      t.start();
    }
    Thread.sleep(warmup * 1000L);
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    measuring.set(false);
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    long total = Arrays.stream(counts).sum();
    long[] all = new long[(int) Math.min(total, Integer.MAX_VALUE)];
    int n = 0;
    for (int c = 0; c < clients; c++) {
      int m = (int) Math.min(counts[c], latencies.get(c).length);
      System.arraycopy(latencies.get(c), 0, all, n, m);
      n += m;
    }
    long[] sorted = Arrays.copyOf(all, n);
    Arrays.sort(sorted);
    String loadavg = Files.readString(Path.of("/proc/loadavg"));
    double load = Double.parseDouble(loadavg.substring(0, loadavg.indexOf(' ')));
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %d | %,.0f | %,.0f | %.2f | %.2f | %.0f | %.1f |%n",
        kind,
        clients,
        batch,
        total / elapsed,
        total * batch / elapsed,
        percentile(sorted, 0.50) / 1e6,
        percentile(sorted, 0.99) / 1e6,
        Arrays.stream(cpu).sum() / 1e3 / Math.max(1, total),
        load);
  }

  private static byte[] data(String subject, long seq) {
    byte[] json = Workload.json(subject, seq);
    // pad the 200-byte workload data to about 500 bytes, as the peer benchmark's events
    var padded = new StringBuilder(new String(json, java.nio.charset.StandardCharsets.UTF_8));
    padded.setLength(padded.length() - 1);
    padded.append(",\"pad\":\"").append("x".repeat(Math.max(0, 500 - json.length - 10)));
    padded.append("\"}");
    return padded.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static int[] ints(String list) {
    return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
