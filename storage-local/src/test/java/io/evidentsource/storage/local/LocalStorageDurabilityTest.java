package io.evidentsource.storage.local;

import static io.evidentsource.storage.tck.TckFixtures.append;
import static io.evidentsource.storage.tck.TckFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.selector.EventSelector;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * What the local adapter keeps across a close and a re-open of its directory, and how it fails: a
 * second open of a locked directory, a full disk, a torn write-ahead-log tail.
 */
class LocalStorageDurabilityTest {
  private static final Instant T0 = Instant.parse("2026-05-01T10:00:00.123456789Z");
  private final Path dir = LocalFixture.tempDir("durability");
  private final List<LocalStorage> opened = new ArrayList<>();
  private final List<Path> crashCopies = new ArrayList<>();

  private LocalStorage open() {
    var storage = LocalFixture.open(dir);
    opened.add(storage);
    return storage;
  }

  private LocalStorage reopen(LocalStorage storage) {
    storage.close();
    return open();
  }

  @AfterEach
  void closeAll() {
    opened.forEach(LocalStorage::close);
    LocalFixture.delete(dir);
    crashCopies.forEach(LocalFixture::delete);
  }

  @Nested
  class Restart {
    @Test
    void keeps_databases_heads_generations_events_and_idempotency_records() {
      var storage = open();
      var db = DatabaseName.of("orders");
      var first = storage.storageAdapter().createDatabase(db, T0);
      storage.storageAdapter().deleteDatabase(db);
      var info = storage.storageAdapter().createDatabase(db, T0.plusSeconds(1));
      Event rich =
          Event.builder()
              .id("e-1")
              .source("https://shop.example/orders")
              .type("OrderPlaced")
              .subject("order-1")
              .time(
                  new EventTime(
                      "2021-08-19T12:16:32.000-04:00", Instant.parse("2021-08-19T16:16:32Z")))
              .dataSchema("https://schema.example/o")
              .extension("tags", "customer:c7,region:eu")
              .extension("priority", 3)
              .extension("rush", true)
              .jsonData("{\"total\":42}")
              .build();
      Event text = rich.toBuilder().id("e-2").data(new EventData.Text("plain")).build();
      Event binary =
          rich.toBuilder()
              .id("e-3")
              .subject(null)
              .time((EventTime) null)
              .data(new EventData.Binary(new byte[] {0, 1, (byte) 255}))
              .build();
      UUID tx = UUID.randomUUID();
      Instant recorded = T0.plusSeconds(2).plusNanos(7);
      var committed =
          storage
              .storageAdapter()
              .append(
                  new AppendRequest(
                      db, info.generation(), 0, List.of(rich, text, binary), tx, recorded));
      TransactionResult result = committed.match(c -> c.result(), h -> null, d -> null);

      storage = reopen(storage);

      var adapter = storage.storageAdapter();
      var after = adapter.findDatabase(db).orElseThrow();
      assertThat(after.generation()).isEqualTo(info.generation()).isGreaterThan(first.generation());
      assertThat(after.revision()).isEqualTo(3);
      assertThat(after.revisionTime()).isEqualTo(recorded);
      assertThat(after.createdAt()).isEqualTo(T0.plusSeconds(1));
      assertThat(adapter.readRange(db, info.generation(), 1, 3))
          .containsExactly(
              new StoredEvent(1, recorded, rich),
              new StoredEvent(2, recorded, text),
              new StoredEvent(3, recorded, binary));
      assertThat(adapter.readRevisions(db, info.generation(), new long[] {3, 1}))
          .extracting(StoredEvent::revision)
          .containsExactly(3L, 1L);
      assertThat(adapter.findTransaction(db, info.generation(), tx)).contains(result);
      var retry =
          adapter.append(
              new AppendRequest(db, info.generation(), 3, events(1), tx, T0.plusSeconds(9)));
      assertThat(retry).isEqualTo(new AppendOutcome.Duplicate(result));

      adapter.deleteDatabase(db);
      storage = reopen(storage);
      var third = storage.storageAdapter().createDatabase(db, T0.plusSeconds(10));
      assertThat(third.generation()).isGreaterThan(info.generation());
      assertThat(third.revision()).isZero();
    }

    @Test
    void keeps_the_audit_record_of_each_transaction() {
      var storage = open();
      var db = DatabaseName.of("audited");
      long gen = storage.storageAdapter().createDatabase(db, T0).generation();
      var origin = new TransactionOrigin("ops", "http", "req-7", "127.0.0.1", "curl/8.5.0");
      UUID tx = UUID.randomUUID();
      storage.storageAdapter().append(new AppendRequest(db, gen, 0, events(2), tx, T0, origin));

      storage = reopen(storage);

      var record = storage.storageAdapter().readTransaction(db, gen, tx).orElseThrow();
      assertThat(record.origin()).isEqualTo(origin);
      assertThat(record.result().firstRevision()).isEqualTo(1);
      assertThat(record.result().revision()).isEqualTo(2);
      assertThat(record.result().recordedTime()).isEqualTo(T0);
    }

    @Test
    void keeps_published_components_and_their_module_bytes() {
      var storage = open();
      var db = DatabaseName.of("views");
      var view =
          new StateViewDefinition(
              "totals",
              "sums orders",
              "application/json",
              "https://schema.example/t",
              EventSelector.subject("{id}"),
              QueryTemporality.EFFECTIVE);
      byte[] module = {0, 'a', 's', 'm', 1, 0, 0, 0};
      var published =
          storage.componentRegistry().add(db, 1, ComponentKind.STATE_VIEW, view, module, T0);

      storage = reopen(storage);

      var registry = storage.componentRegistry();
      assertThat(registry.find(db, 1, ComponentKind.STATE_VIEW, "totals", null))
          .contains(published);
      assertThat(registry.module(published.id()))
          .hasValueSatisfying(b -> assertThat(b).isEqualTo(module));
      var second = registry.add(db, 1, ComponentKind.STATE_VIEW, view, module, T0);
      assertThat(second.version()).isEqualTo(2);
    }
  }

  @Test
  void a_backup_taken_under_concurrent_appends_holds_whole_transactions_and_restores()
      throws Exception {
    var storage = open();
    var adapter = storage.storageAdapter();
    var db = DatabaseName.of("busy");
    long gen = adapter.createDatabase(db, T0).generation();
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    var writer =
        new Thread(
            () -> {
              while (!stop.get()) {
                long head = adapter.findDatabase(db).orElseThrow().revision();
                adapter.append(append(db, gen, head, events(3), T0));
              }
            });
    writer.start();
    while (adapter.findDatabase(db).orElseThrow().revision() < 30) {
      Thread.sleep(5);
    }
    Path backup = dir.resolveSibling(dir.getFileName() + "-backup");
    Path restored = dir.resolveSibling(dir.getFileName() + "-restored");
    try {
      storage.backup(backup);
      stop.set(true);
      writer.join();
      assertThatThrownBy(() -> storage.backup(backup))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));

      LocalStorage.restore(backup, restored);
      try (var copy = LocalFixture.open(restored)) {
        var info = copy.storageAdapter().findDatabase(db).orElseThrow();
        assertThat(info.revision()).isPositive().matches(r -> r % 3 == 0, "whole transactions");
        assertThat(copy.storageAdapter().readRange(db, gen, 1, info.revision()))
            .hasSize((int) info.revision());
      }
      assertThatThrownBy(() -> LocalStorage.restore(backup, restored))
          .hasMessageContaining("is not empty");
    } finally {
      stop.set(true);
      LocalFixture.delete(backup);
      LocalFixture.delete(restored);
    }
  }

  @Test
  void a_second_open_of_a_directory_in_use_fails_naming_the_directory_and_the_setting() {
    open();
    assertThatThrownBy(() -> LocalStorage.open(LocalStorageOptions.of(dir)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.toAbsolutePath().toString())
        .hasMessageContaining("in use by another EvidentSource process")
        .hasMessageContaining("evidentsource.local.data-dir");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void a_pipelined_append_is_checked_against_one_whose_sync_is_in_flight_and_neither_is_read_early()
      throws Exception {
    var storage = open();
    var store = EventStore.create(storage.storageAdapter());
    var db = DatabaseName.of("pipelined");
    store.createDatabase(db);
    var inSync = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    storage.beforeSync(
        () -> {
          inSync.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    var subject = EventSelector.subject("s");
    var first = inThread(() -> store.transact(db, tx(subject, 0, "a")));
    assertThat(inSync.await(20, TimeUnit.SECONDS)).isTrue();
    // the first append is written and its sync is in flight: readers do not see it yet ...
    assertThat(store.database(db).revision()).isZero();
    assertThat(first).isNotDone();
    // ... but the next append is checked against it: "nothing for s after 0" no longer holds
    assertThatThrownBy(() -> store.transact(db, tx(subject, 0, "b")))
        .isInstanceOfSatisfying(
            ConditionFailedException.class,
            e -> assertThat(e.failures().get(0).actualRevision()).isEqualTo(1));
    var second = inThread(() -> store.transact(db, tx(subject, 1, "c")));
    storage.beforeSync(null);
    release.countDown();

    assertThat(first.get(20, TimeUnit.SECONDS).revision()).isEqualTo(1);
    assertThat(second.get(20, TimeUnit.SECONDS).revision()).isEqualTo(2);
    assertThat(store.database(db).revision()).isEqualTo(2);
    storage = reopen(storage);
    assertThat(storage.storageAdapter().readRange(db, 1, 1, 10))
        .extracting(e -> e.event().id())
        .containsExactly("a", "c");
  }

  private static CompletableFuture<TransactionResult> inThread(Supplier<TransactionResult> call) {
    var result = new CompletableFuture<TransactionResult>();
    new Thread(
            () -> {
              try {
                result.complete(call.get());
              } catch (RuntimeException e) {
                result.completeExceptionally(e);
              }
            })
        .start();
    return result;
  }

  private static Transaction tx(EventSelector subject, long after, String id) {
    Event e = Event.builder().id(id).source("/p").type("T").subject("s").build();
    return Transaction.of(List.of(e), List.of(AppendCondition.max(subject, after)));
  }

  @Test
  void a_full_disk_fails_the_append_clearly_stores_nothing_and_appends_resume_once_space_returns() {
    var storage = open();
    var adapter = storage.storageAdapter();
    var db = DatabaseName.of("full");
    long gen = adapter.createDatabase(db, T0).generation();
    adapter.append(append(db, gen, 0, events(2), T0));
    storage.writer(
        (options, batch) -> {
          throw new RocksDBException(
              "IO error: No space left on device: While appending to file: 000008.log",
              new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device"));
        });

    assertThatThrownBy(() -> adapter.append(append(db, gen, 2, events(3), T0)))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL);
              assertThat(e.getMessage())
                  .contains("No space left on device")
                  .contains("disk of the data directory is full")
                  .contains(dir.toAbsolutePath().toString());
              assertThat(e.fields())
                  .containsEntry("data_dir", dir.toAbsolutePath().toString())
                  .containsEntry("limit_name", "free space of evidentsource.local.data-dir");
            });
    assertThat(adapter.findDatabase(db).orElseThrow().revision()).isEqualTo(2);
    assertThat(adapter.readRange(db, gen, 1, 10)).hasSize(2); // reads keep working

    storage.writer(null); // space returns: the next write reopens the directory and goes through
    var outcome = adapter.append(append(db, gen, 2, events(3), T0));
    assertThat(outcome).isInstanceOf(AppendOutcome.Committed.class);
    assertThat(adapter.findDatabase(db).orElseThrow().revision()).isEqualTo(5);
    storage = reopen(storage);
    var events = storage.storageAdapter().readRange(db, gen, 1, 10);
    assertThat(events).extracting(StoredEvent::revision).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void a_torn_write_ahead_log_tail_recovers_to_the_last_whole_transaction() throws IOException {
    var storage = open();
    var adapter = storage.storageAdapter();
    var db = DatabaseName.of("torn");
    long gen = adapter.createDatabase(db, T0).generation();
    for (int i = 0; i < 20; i++) {
      adapter.append(append(db, gen, i * 3L, events(3), T0));
    }
    Path crashed = crashImage(storage);
    Path wal = newestWal(crashed);
    long size = Files.size(wal);
    try (var file = new RandomAccessFile(wal.toFile(), "rw")) {
      file.setLength(size - 40); // cut into the last transaction's record
    }

    storage = openCopy(crashed);
    var info = storage.storageAdapter().findDatabase(db).orElseThrow();
    assertThat(info.revision()).isEqualTo(57); // 19 whole transactions of 3
    assertThat(storage.storageAdapter().readRange(db, gen, 1, 100))
        .extracting(StoredEvent::revision)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 57).boxed().toList());
    // the log goes on from the recovered head
    assertThat(storage.storageAdapter().append(append(db, gen, 57, events(1), T0)))
        .isInstanceOf(AppendOutcome.Committed.class);
  }

  @Test
  void a_corrupted_write_ahead_log_tail_recovers_to_a_consistent_prefix() throws IOException {
    var storage = open();
    var adapter = storage.storageAdapter();
    var db = DatabaseName.of("bitrot");
    long gen = adapter.createDatabase(db, T0).generation();
    for (int i = 0; i < 20; i++) {
      adapter.append(append(db, gen, i * 2L, events(2), T0));
    }
    Path crashed = crashImage(storage);
    Path wal = newestWal(crashed);
    long size = Files.size(wal);
    try (var file = new RandomAccessFile(wal.toFile(), "rw")) {
      file.seek(size - 60);
      file.write(new byte[] {0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a});
    }

    storage = openCopy(crashed);
    var info = storage.storageAdapter().findDatabase(db).orElseThrow();
    assertThat(info.revision()).isBetween(2L, 38L).matches(r -> r % 2 == 0, "a whole transaction");
    assertThat(storage.storageAdapter().readRange(db, gen, 1, 100)).hasSize((int) info.revision());
  }

  /**
   * The files of the open directory as a crash would leave them: copied while it is open (every
   * write was synced, none is in progress), so no close flushes the memtables into table files and
   * the recent transactions exist only in the write-ahead log.
   */
  private Path crashImage(LocalStorage storage) throws IOException {
    Path copy = dir.resolveSibling(dir.getFileName() + "-crash");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.getFileName().toString().equals("LOCK")) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
    }
    storage.close();
    return copy;
  }

  private LocalStorage openCopy(Path copy) {
    var storage = LocalFixture.open(copy);
    opened.add(storage);
    crashCopies.add(copy);
    return storage;
  }

  private Path newestWal(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".log"))
          .max(Comparator.comparing(p -> p.getFileName().toString()))
          .orElseThrow();
    }
  }
}
