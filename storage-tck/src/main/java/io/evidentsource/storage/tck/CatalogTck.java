package io.evidentsource.storage.tck;

import static io.evidentsource.storage.tck.TckFixtures.append;
import static io.evidentsource.storage.tck.TckFixtures.events;
import static io.evidentsource.storage.tck.TckFixtures.uniqueDatabase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.port.StorageAdapter;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The database catalog: create, find, list, delete and re-create. */
public abstract class CatalogTck {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456Z");

  /** A ready adapter; may be shared between tests (names are unique). */
  protected abstract StorageAdapter adapter();

  private StorageAdapter storage;

  @BeforeEach
  void setUpAdapter() {
    storage = adapter();
  }

  @Test
  void creates_an_empty_database_at_revision_zero() {
    var name = uniqueDatabase("cat");
    DatabaseInfo info = storage.createDatabase(name, T0);
    assertThat(info.name()).isEqualTo(name);
    assertThat(info.revision()).isZero();
    assertThat(info.createdAt()).isEqualTo(T0);
    assertThat(info.revisionTime()).isEqualTo(T0);
    assertThat(storage.findDatabase(name)).contains(info);
  }

  @Test
  void rejects_creating_a_database_that_exists() {
    var name = uniqueDatabase("cat");
    storage.createDatabase(name, T0);
    assertThatThrownBy(() -> storage.createDatabase(name, T0))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_EXISTS));
  }

  @Test
  void lists_databases_ordered_by_name_with_their_heads() {
    var b = uniqueDatabase("list-b");
    var a = uniqueDatabase("list-a");
    var ib = storage.createDatabase(b, T0);
    storage.createDatabase(a, T0);
    storage.append(append(b, ib.generation(), 0, events(3), T0.plusSeconds(1)));
    var names = storage.listDatabases().stream().map(i -> i.name()).toList();
    assertThat(names).contains(a, b);
    assertThat(names).isSorted();
    var listedB = storage.listDatabases().stream().filter(i -> i.name().equals(b)).findFirst();
    assertThat(listedB).get().extracting(DatabaseInfo::revision).isEqualTo(3L);
  }

  @Test
  void deleting_an_unknown_database_is_not_found() {
    assertThatThrownBy(() -> storage.deleteDatabase(uniqueDatabase("nope")))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
  }

  @Test
  void a_recreated_database_has_a_new_generation_and_none_of_the_old_events() {
    var name = uniqueDatabase("regen");
    var first = storage.createDatabase(name, T0);
    storage.append(append(name, first.generation(), 0, events(5), T0));
    storage.deleteDatabase(name);
    assertThat(storage.findDatabase(name)).isEmpty();

    var second = storage.createDatabase(name, T0.plusSeconds(10));
    assertThat(second.generation()).isGreaterThan(first.generation());
    assertThat(second.revision()).isZero();
    assertThat(storage.readRange(name, second.generation(), 1, 10)).isEmpty();
    assertThatThrownBy(() -> storage.readRange(name, first.generation(), 1, 5))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
  }

  @Test
  void an_append_to_a_deleted_generation_is_not_found_and_writes_nothing() {
    var name = uniqueDatabase("gone");
    var first = storage.createDatabase(name, T0);
    storage.deleteDatabase(name);
    var second = storage.createDatabase(name, T0);
    assertThatThrownBy(() -> storage.append(append(name, first.generation(), 0, events(1), T0)))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
    assertThat(storage.findDatabase(name)).get().extracting(DatabaseInfo::revision).isEqualTo(0L);
    assertThat(second.generation()).isNotEqualTo(first.generation());
  }

  @Nested
  class A_delete_sent_again_with_its_key {
    @Test
    void answers_as_the_first_did_and_deletes_nothing_more() {
      var name = uniqueDatabase("again");
      var first = storage.createDatabase(name, T0);
      storage.append(append(name, first.generation(), 0, events(2), T0));
      assertThat(storage.deleteDatabase(name, "key-1")).isTrue();

      assertThat(storage.deleteDatabase(name, "key-1")).as("the same delete again").isFalse();
      assertThat(storage.findDatabase(name)).isEmpty();
    }

    @Test
    void leaves_the_database_created_under_the_name_since_alone() {
      var name = uniqueDatabase("again");
      storage.createDatabase(name, T0);
      assertThat(storage.deleteDatabase(name, "key-2")).isTrue();
      var second = storage.createDatabase(name, T0.plusSeconds(1));
      storage.append(append(name, second.generation(), 0, events(3), T0));

      assertThat(storage.deleteDatabase(name, "key-2")).isFalse();
      assertThat(storage.findDatabase(name))
          .get()
          .satisfies(
              info -> {
                assertThat(info.generation()).isEqualTo(second.generation());
                assertThat(info.revision()).isEqualTo(3);
              });
      assertThat(storage.readRange(name, second.generation(), 1, 10)).hasSize(3);
    }

    @Test
    void is_not_found_without_the_key_or_with_another() {
      var name = uniqueDatabase("again");
      storage.createDatabase(name, T0);
      storage.deleteDatabase(name, "key-3");

      assertThatThrownBy(() -> storage.deleteDatabase(name))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
      assertThatThrownBy(() -> storage.deleteDatabase(name, "key-4"))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
    }

    @Test
    void of_a_database_that_never_existed_is_not_found() {
      var name = uniqueDatabase("never");
      assertThatThrownBy(() -> storage.deleteDatabase(name, "key-5"))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
      assertThatThrownBy(() -> storage.deleteDatabase(name, "key-5"))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
    }

    @Test
    void is_recognised_for_the_names_last_deletion_only() {
      var name = uniqueDatabase("again");
      storage.createDatabase(name, T0);
      storage.deleteDatabase(name, "key-6");
      storage.createDatabase(name, T0);
      storage.deleteDatabase(name, "key-7");

      assertThat(storage.deleteDatabase(name, "key-7")).isFalse();
      assertThatThrownBy(() -> storage.deleteDatabase(name, "key-6"))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
      // a deletion without a key forgets the key of the one before
      storage.createDatabase(name, T0);
      storage.deleteDatabase(name);
      assertThatThrownBy(() -> storage.deleteDatabase(name, "key-7"))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND));
    }
  }
}
