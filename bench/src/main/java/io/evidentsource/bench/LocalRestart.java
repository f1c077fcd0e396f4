package io.evidentsource.bench;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.local.LocalStorage;
import io.evidentsource.storage.local.LocalStorageOptions;
import io.evidentsource.storage.local.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What a restart costs on the {@code local} profile (docs/local-storage.md#restart-time): loads N
 * events (batches of 25, {@link Workload} events with 200 bytes of JSON, 10,000 subjects) into one
 * database, closes the data directory, and then, in a fresh {@link EventStore} as a restarted
 * server has, measures opening the directory, the first query (which builds the database's index
 * from the log, ADR 0003) and the first guarded append after it.
 *
 * <p>Options: {@code --events N} (1000000), {@code --dir PATH} (a fresh temporary directory,
 * deleted afterwards). Run: {@code java -Xmx4g -cp bench/target/benchmarks.jar
 * io.evidentsource.bench.LocalRestart --events 1000000}.
 */
public final class LocalRestart {
  private LocalRestart() {}

  public static void main(String[] args) throws IOException {
    int events = 1_000_000;
    Path dir = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[i + 1]);
        case "--dir" -> dir = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    boolean temporary = dir == null;
    Path data = dir == null ? Files.createTempDirectory("evidentsource-restart") : dir;
    var db = DatabaseName.of("restart");
    String[] subjects = Workload.subjects(Workload.DEFAULT_SUBJECTS);
    try {
      long fillStart = System.nanoTime();
      // filling syncs every 100 ms: the load is not what is measured
      try (var storage =
          LocalStorage.open(
              new LocalStorageOptions(data, SyncMode.INTERVAL, Duration.ofMillis(100)))) {
        var store = store(storage);
        store.createDatabase(db);
        long seq = 0;
        while (seq < events) {
          var batch = new ArrayList<Event>(25);
          for (int k = 0; k < 25 && seq < events; k++, seq++) {
            String subject = subjects[(int) (seq % subjects.length)];
            batch.add(
                Workload.event("e-" + seq, (int) (seq % 6), subject, Workload.json(subject, seq)));
          }
          store.transact(db, Transaction.of(batch));
        }
      }
      double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
      long bytes = size(data);

      long t0 = System.nanoTime();
      var storage = LocalStorage.open(LocalStorageOptions.of(data));
      long t1 = System.nanoTime();
      var store = store(storage);
      var page =
          store.query(
              db,
              EventQuery.of(EventSelector.subject(subjects[7]))
                  .withDirection(Direction.BACKWARD)
                  .withLimit(1));
      long t2 = System.nanoTime();
      long highest = page.events().isEmpty() ? 0 : page.events().get(0).revision();
      Event next =
          Workload.event(
              UUID.randomUUID().toString(), 0, subjects[7], Workload.json(subjects[7], events));
      store.transact(
          db,
          Transaction.of(
              List.of(next),
              List.of(AppendCondition.max(EventSelector.subject(subjects[7]), highest))));
      long t3 = System.nanoTime();
      storage.close();
      System.out.printf(
          Locale.ROOT,
          "events %,d (%.0f MB on disk, loaded in %.1f s)%n"
              + "open the data directory: %.0f ms%n"
              + "first query (builds the index from the log): %.0f ms (%.0f events/s)%n"
              + "first guarded append after it: %.1f ms%n"
              + "restart to first answer: %.0f ms%n",
          events,
          bytes / 1e6,
          fillSeconds,
          (t1 - t0) / 1e6,
          (t2 - t1) / 1e6,
          events / ((t2 - t1) / 1e9),
          (t3 - t2) / 1e6,
          (t2 - t0) / 1e6);
    } finally {
      if (temporary) {
        try (Stream<Path> paths = Files.walk(data)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static EventStore store(LocalStorage storage) {
    return new EventStore(
        storage.storageAdapter(),
        EventLimits.defaults(),
        Clock.systemUTC(),
        UUID::randomUUID,
        Duration.ofSeconds(10));
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
