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
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.StorageAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real full disk (docs/local-storage.md#restarts-crashes-and-damaged-files): the data directory
 * on a 64 MB tmpfs, a filler file taking 36 MB of it, appends of 32 KB events until the disk is
 * full. The append that hits the full disk fails with {@code STORAGE_FULL} naming the data
 * directory, nothing of it is stored, every acknowledged append stays readable and further writes
 * are refused the same way while the disk stays full; once the filler is deleted (space returns)
 * the next write reopens the directory in the same process and appends resume on the same database,
 * and a restart finds every acknowledged append exactly once.
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
    int exit = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString());
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
  void a_real_full_disk_refuses_writes_with_storage_full_keeps_reads_and_recovers_in_process()
      throws IOException {
    Path filler = mount.resolve("filler");
    Files.write(filler, new byte[36 << 20]);
    Path dir = mount.resolve("data");
    var storage = open(dir);
    storage.reopenPause(Duration.ZERO);
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
    assertThat(failure).as("the 64 MB disk filled up").isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCode.STORAGE_FULL);
    assertThat(failure.getMessage())
        .contains("No space left on device")
        .contains("disk of the data directory is full")
        .contains(dir.toAbsolutePath().toString());
    assertThat(failure.fields()).containsEntry("data_dir", dir.toAbsolutePath().toString());
    long acknowledged = head;
    assertThat(acknowledged).isGreaterThan(100);
    // reads keep working; writes are refused the same way while the disk stays full
    assertThat(adapter.findDatabase(db).orElseThrow().revision()).isEqualTo(acknowledged);
    assertThat(adapter.readRange(db, generation, 1, acknowledged)).hasSize((int) acknowledged);
    assertThatThrownBy(
            () -> adapter.append(append(db, generation, acknowledged, List.of(big("x")), T0)))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL);
              assertThat(e.getMessage()).contains(dir.toAbsolutePath().toString());
            });
    assertThatThrownBy(() -> adapter.createDatabase(DatabaseName.of("other"), T0))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL));

    Files.delete(filler); // space returns: the next write reopens the directory, no restart
    var resumed = adapter.append(append(db, generation, acknowledged, List.of(big("after")), T0));
    assertThat(resumed).isInstanceOf(AppendOutcome.Committed.class);
    assertThat(adapter.findDatabase(db).orElseThrow().revision()).isEqualTo(acknowledged + 1);
    List<StoredEvent> stored = adapter.readRange(db, generation, 1, acknowledged + 10);
    assertThat(stored).extracting(e -> e.event().id()).doesNotHaveDuplicates();
    assertThat(stored).hasSize((int) acknowledged + 1);
    assertThat(stored.get((int) acknowledged - 1).event().id())
        .isEqualTo("e-" + (acknowledged - 1));
    assertThat(adapter.createDatabase(DatabaseName.of("other"), T0).revision()).isZero();

    storage.close();
    opened.remove(storage);
    StorageAdapter restarted = open(dir).storageAdapter();
    assertThat(restarted.findDatabase(db).orElseThrow().revision()).isEqualTo(acknowledged + 1);
    assertThat(restarted.readRange(db, generation, 1, acknowledged + 10))
        .extracting(e -> e.event().id())
        .hasSize((int) acknowledged + 1)
        .endsWith("e-" + (acknowledged - 1), "after");
    assertThat(restarted.findDatabase(DatabaseName.of("other"))).isPresent();
  }

  /**
   * Four writers on two databases fill the disk together (pipelined appends sharing syncs); each
   * keeps the transaction its failure left unresolved and sends it again, with the same id, once
   * space is back. Every failure is {@code STORAGE_FULL} (nothing stored) or {@code COMMIT_UNKNOWN}
   * (written, not confirmed on disk); after the in-process recovery and after a restart every
   * acknowledged transaction is there exactly once, at its revision, with no gap.
   */
  @Test
  @Timeout(180)
  void concurrent_writers_across_a_full_disk_lose_nothing_acknowledged_and_store_nothing_twice()
      throws Exception {
    Path filler = mount.resolve("filler");
    Files.write(filler, new byte[36 << 20]);
    Path dir = mount.resolve("data");
    var storage = open(dir);
    storage.reopenPause(Duration.ZERO);
    StorageAdapter adapter = storage.storageAdapter();
    var names = List.of(DatabaseName.of("a"), DatabaseName.of("b"));
    for (var name : names) {
      adapter.createDatabase(name, T0);
    }
    var acknowledged = new ConcurrentHashMap<String, Long>(); // event id -> revision
    var failures = new ConcurrentHashMap<ErrorCode, Integer>();
    var full = new CountDownLatch(4);
    var spaceBack = new CountDownLatch(1);
    var writers = new ArrayList<Future<?>>();
    var pool = Executors.newFixedThreadPool(4);
    try {
      for (int w = 0; w < 4; w++) {
        var db = names.get(w % 2);
        String writer = "w" + w;
        writers.add(
            pool.submit(
                () -> {
                  boolean sawFull = false;
                  int after = 0;
                  try {
                    for (int n = 0; after < 5; n++) {
                      String id = writer + "-" + n;
                      UUID tx = UUID.randomUUID();
                      while (true) { // one transaction, sent until it is known stored
                        long head = adapter.findDatabase(db).orElseThrow().revision();
                        long gen = adapter.findDatabase(db).orElseThrow().generation();
                        try {
                          var outcome =
                              adapter.append(
                                  new AppendRequest(db, gen, head, List.of(big(id)), tx, T0));
                          if (outcome instanceof AppendOutcome.Committed c) {
                            acknowledged.put(id, c.result().revision());
                          } else if (outcome instanceof AppendOutcome.Duplicate d) {
                            acknowledged.put(id, d.original().revision());
                          } else {
                            continue; // the head moved: read it again
                          }
                          if (sawFull) {
                            after++;
                          }
                          break;
                        } catch (EvidentSourceException e) {
                          failures.merge(e.code(), 1, Integer::sum);
                          assertThat(e.code())
                              .as(e.getMessage())
                              .isIn(ErrorCode.STORAGE_FULL, ErrorCode.COMMIT_UNKNOWN);
                          if (!sawFull) {
                            sawFull = true;
                            full.countDown();
                            spaceBack.await();
                          }
                        }
                      }
                    }
                  } finally {
                    if (!sawFull) {
                      full.countDown(); // a writer that fails otherwise must not hold up the rest
                    }
                  }
                  return null;
                }));
      }
      full.await();
      Files.delete(filler);
      spaceBack.countDown();
      for (var f : writers) {
        f.get();
      }
    } finally {
      spaceBack.countDown();
      pool.shutdownNow();
    }
    assertThat(failures).containsKey(ErrorCode.STORAGE_FULL);
    assertThat(acknowledged).hasSizeGreaterThan(100);
    assertEveryAcknowledgedOnce(adapter, names, acknowledged);

    storage.close();
    opened.remove(storage);
    assertEveryAcknowledgedOnce(open(dir).storageAdapter(), names, acknowledged);
  }

  private static void assertEveryAcknowledgedOnce(
      StorageAdapter adapter, List<DatabaseName> names, Map<String, Long> acknowledged) {
    var found = new HashMap<String, Long>();
    for (var name : names) {
      var info = adapter.findDatabase(name).orElseThrow();
      List<StoredEvent> stored = adapter.readRange(name, info.generation(), 1, info.revision());
      assertThat(stored)
          .extracting(StoredEvent::revision)
          .as("dense revisions of %s", name)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, info.revision()).boxed().toList());
      for (var e : stored) {
        assertThat(found.put(e.event().id(), e.revision())).as(e.event().id()).isNull();
      }
    }
    assertThat(found).containsAllEntriesOf(acknowledged);
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
