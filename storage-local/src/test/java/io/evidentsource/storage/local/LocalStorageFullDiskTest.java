package io.evidentsource.storage.local;

import static io.evidentsource.storage.tck.TckFixtures.append;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.StorageAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real full disk (docs/local-storage.md#restarts-crashes-and-damaged-files): the data directory
 * on a 48 MB tmpfs, a filler file taking 20 MB of it, appends of 32 KB events until the disk is
 * full. The append that hits the full disk fails naming the data directory and the cause, nothing
 * of it is stored, every acknowledged append stays readable; once the filler is deleted (space
 * returns) and the storage is opened again (a server restart), appends resume on the same database.
 *
 * <p>{@link LocalStorageDurabilityTest} simulates the same failure through the batch-writer hook on
 * any machine; this test needs to mount a tmpfs (root on Linux, as on the project's CI machine) and
 * is skipped, saying so, where it cannot.
 */
class LocalStorageFullDiskTest {
  private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
  private final Path mount = LocalFixture.tempDir("full-disk");
  private final List<LocalStorage> opened = new ArrayList<>();

  @BeforeEach
  void mountSmallDisk() throws Exception {
    int exit = run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString());
    Assumptions.assumeTrue(
        exit == 0, "mounting a tmpfs needs root on Linux; the simulated full disk still runs");
  }

  @AfterEach
  void unmount() throws Exception {
    opened.forEach(LocalStorage::close);
    run("umount", "-l", mount.toString());
    LocalFixture.delete(mount);
  }

  @Test
  void a_real_full_disk_fails_the_append_clearly_keeps_what_was_acknowledged_and_recovers()
      throws IOException {
    Path filler = mount.resolve("filler");
    Files.write(filler, new byte[20 << 20]);
    Path dir = mount.resolve("data");
    var storage = open(dir);
    StorageAdapter adapter = storage.storageAdapter();
    var db = DatabaseName.of("full");
    long generation = adapter.createDatabase(db, T0).generation();

    long head = 0;
    EvidentSourceException failure = null;
    while (failure == null && head < 10_000) {
      try {
        adapter.append(append(db, generation, head, List.of(big("e-" + head)), T0));
        head++;
      } catch (EvidentSourceException e) {
        failure = e;
      }
    }
    assertThat(failure).as("the 48 MB disk filled up").isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(failure.getMessage())
        .contains("No space left on device")
        .contains("disk of the data directory is full")
        .contains(dir.toAbsolutePath().toString());
    long acknowledged = head;
    assertThat(acknowledged).isGreaterThan(100);
    assertThat(adapter.findDatabase(db).orElseThrow().revision()).isEqualTo(acknowledged);
    // RocksDB keeps refusing writes after a failed write-ahead-log append, even with space back
    Files.delete(filler);
    assertThatThrownBy(
            () -> adapter.append(append(db, generation, acknowledged, List.of(big("x")), T0)))
        .isInstanceOf(EvidentSourceException.class);

    storage.close();
    opened.remove(storage);
    StorageAdapter restarted = open(dir).storageAdapter(); // a restart once space is back
    assertThat(restarted.findDatabase(db).orElseThrow().revision()).isEqualTo(acknowledged);
    List<StoredEvent> stored = restarted.readRange(db, generation, 1, acknowledged + 10);
    assertThat(stored).hasSize((int) acknowledged);
    assertThat(stored.get(stored.size() - 1).event().id()).isEqualTo("e-" + (acknowledged - 1));
    var resumed = restarted.append(append(db, generation, acknowledged, List.of(big("after")), T0));
    assertThat(resumed).isInstanceOf(AppendOutcome.Committed.class);
    assertThat(restarted.findDatabase(db).orElseThrow().revision()).isEqualTo(acknowledged + 1);
  }

  private LocalStorage open(Path dir) {
    var storage = LocalFixture.open(dir);
    opened.add(storage);
    return storage;
  }

  private static Event big(String id) {
    return Event.builder()
        .id(id)
        .source("/full")
        .type("Filled")
        .subject("s")
        .data(new EventData.Binary(new byte[32 << 10]))
        .build();
  }

  private static int run(String... command) throws IOException, InterruptedException {
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }
}
