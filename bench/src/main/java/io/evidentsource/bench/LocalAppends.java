package io.evidentsource.bench;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.local.LocalStorage;
import io.evidentsource.storage.local.LocalStorageOptions;
import java.io.IOException;
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
 * {@code --dir PATH} (a fresh temporary directory per cell, deleted afterwards). Prints one line
 * per cell: appends/s, events/s, p50 and p99 in ms. Run: {@code java -cp
 * bench/target/benchmarks.jar io.evidentsource.bench.LocalAppends}.
 */
public final class LocalAppends {
  private LocalAppends() {}

  public static void main(String[] args) throws Exception {
    int[] clients = {1, 8};
    int[] batches = {1, 25};
    int seconds = 8;
    int warmup = 2;
    Path root = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--clients" -> clients = ints(args[i + 1]);
        case "--batch" -> batches = ints(args[i + 1]);
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--dir" -> root = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.println("| clients | events per append | appends/s | events/s | p50 ms | p99 ms |");
    System.out.println("|---:|---:|---:|---:|---:|---:|");
    for (int batch : batches) {
      for (int c : clients) {
        Path dir =
            root == null
                ? Files.createTempDirectory("evidentsource-appends")
                : Files.createDirectories(root.resolve("c" + c + "-b" + batch));
        try {
          cell(dir, c, batch, seconds, warmup);
        } finally {
          delete(dir);
        }
      }
    }
  }

  private static void cell(Path dir, int clients, int batch, int seconds, int warmup)
      throws Exception {
    try (var storage = LocalStorage.open(LocalStorageOptions.of(dir))) {
      var store =
          new EventStore(
              storage.storageAdapter(),
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
                  while (!stop.get()) {
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
                                List.of(
                                    AppendCondition.max(EventSelector.subject(subject), seen))));
                    long nanos = System.nanoTime() - start;
                    seen = r.revision();
                    if (measuring.get()) {
                      int n = (int) counts[client];
                      if (n < own.length) {
                        own[n] = nanos;
                      }
                      counts[client]++;
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
      System.out.printf(
          Locale.ROOT,
          "| %d | %d | %,.0f | %,.0f | %.2f | %.2f |%n",
          clients,
          batch,
          total / elapsed,
          total * batch / elapsed,
          percentile(sorted, 0.50) / 1e6,
          percentile(sorted, 0.99) / 1e6);
    }
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
