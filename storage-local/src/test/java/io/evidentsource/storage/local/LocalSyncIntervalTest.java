package io.evidentsource.storage.local;

import static io.evidentsource.storage.tck.TckFixtures.append;
import static io.evidentsource.storage.tck.TckFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rocksdb.RocksDB;

/**
 * {@code evidentsource.local.sync=interval} (docs/local-storage.md#durability): an append is
 * acknowledged once written to the operating system, without a sync of its own; the periodic sync
 * then makes every write before it durable; a crash of the process alone loses nothing
 * acknowledged. Bad values of the two settings are refused naming them.
 */
class LocalSyncIntervalTest {
  private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
  private final Path dir = LocalFixture.tempDir("interval");
  private final Path crashCopy = dir.resolveSibling(dir.getFileName() + "-crash");
  private final List<LocalStorage> opened = new CopyOnWriteArrayList<>();

  private LocalStorage open(Path directory, Duration interval) {
    var storage =
        LocalStorage.open(new LocalStorageOptions(directory, SyncMode.INTERVAL, interval));
    opened.add(storage);
    return storage;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(LocalStorage::close);
    LocalFixture.delete(dir);
    LocalFixture.delete(crashCopy);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void an_acknowledged_append_is_written_without_a_sync_and_made_durable_by_the_next_interval()
      throws InterruptedException {
    var storage = open(dir, Duration.ofMillis(50));
    RocksDB rocks = storage.read("the test's handle", r -> r);
    var syncedWrites = new CopyOnWriteArrayList<Boolean>();
    storage.writer(
        (options, batch) -> {
          syncedWrites.add(options.sync());
          rocks.write(options, batch);
        });
    var adapter = storage.storageAdapter();
    var db = DatabaseName.of("interval");
    long gen = adapter.createDatabase(db, T0).generation();
    var outcome = adapter.append(append(db, gen, 0, events(3), T0));

    assertThat(outcome).isInstanceOf(AppendOutcome.Committed.class);
    assertThat(adapter.findDatabase(db).orElseThrow().revision()).isEqualTo(3); // visible at once
    assertThat(syncedWrites).isNotEmpty().containsOnly(false);
    long acknowledged = storage.latestSequence();
    while (storage.intervalSynced() < acknowledged) {
      TimeUnit.MILLISECONDS.sleep(10); // bounded by @Timeout: the sync runs every 50 ms
    }
    assertThat(storage.intervalSynced()).isGreaterThanOrEqualTo(acknowledged);
  }

  @Test
  void a_crash_of_the_process_loses_no_acknowledged_append_even_before_the_interval_sync()
      throws IOException {
    // an interval no test waits for: the appends below are in the operating system only
    var storage = open(dir, Duration.ofHours(1));
    var adapter = storage.storageAdapter();
    var db = DatabaseName.of("crash");
    long gen = adapter.createDatabase(db, T0).generation();
    for (int i = 0; i < 10; i++) {
      adapter.append(append(db, gen, i * 2L, events(2), T0));
    }
    assertThat(storage.intervalSynced()).isZero();

    // the files as a killed process leaves them: read through the operating system, not closed
    Files.createDirectories(crashCopy);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.getFileName().toString().equals("LOCK")) {
          Files.copy(f, crashCopy.resolve(f.getFileName()));
        }
      }
    }
    var restarted = open(crashCopy, Duration.ofHours(1)).storageAdapter();
    assertThat(restarted.findDatabase(db).orElseThrow().revision()).isEqualTo(20);
    assertThat(restarted.readRange(db, gen, 1, 100))
        .extracting(StoredEvent::revision)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
  }

  @Test
  void bad_values_are_refused_naming_the_setting() {
    assertThat(SyncMode.parse("Interval")).isEqualTo(SyncMode.INTERVAL);
    assertThatThrownBy(() -> SyncMode.parse("sometimes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("evidentsource.local.sync must be 'always' or 'interval', was 'sometimes'");
    assertThatThrownBy(() -> new LocalStorageOptions(dir, SyncMode.INTERVAL, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("evidentsource.local.sync-interval must be positive");
  }
}
