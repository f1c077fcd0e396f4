package io.evidentsource.server;

import static io.evidentsource.core.component.ComponentKind.STATE_CHANGE;
import static io.evidentsource.core.component.ComponentKind.STATE_VIEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.Provenance;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.dynamodb.DynamoDbComponentRegistry;
import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.DynamoDbTables;
import io.evidentsource.wasm.ChicoryComponentRuntime;
import io.evidentsource.wasm.WasmLimits;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two server instances as the core sees them: each its own event store, Chicory runtime, state
 * views and state changes, over the same DynamoDB tables and S3 bucket (moto). A component
 * published on one instance runs on the other, which loads it from the registry's module bytes on
 * first use; after the database is deleted and re-created, the other instance runs the new
 * generation's module, never the one it had loaded before.
 */
class ClusteredComponentsTest {
  /** A view whose state is always {@code "fresh"}, whatever it folds. */
  static final byte[] FRESH =
      Wat2Wasm.parse(
          """
          (module
            (memory (export "memory") 1)
            (data (i32.const 16) "\\"fresh\\"")
            (func (export "evidentsource_alloc") (param i32) (result i32) (i32.const 1024))
            (func (export "evidentsource_evolve") (param i32 i32 i32 i32 i32 i32) (result i64)
              (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 7))))
          """);

  private final DynamoDbTables tables = DynamoDbFixture.freshTables();
  private final String bucket = DynamoDbFixture.freshBucket();
  private final Instance a = new Instance(true);
  private final Instance b = new Instance(false);
  private final DatabaseName db =
      DatabaseName.of("two-" + UUID.randomUUID().toString().substring(0, 8));

  /** One server instance's core services. */
  private final class Instance {
    final EventStore store;
    final ChicoryComponentRuntime runtime = new ChicoryComponentRuntime(WasmLimits.defaults());
    final ComponentCatalog catalog;
    final StateViews views;
    final StateChanges changes;

    Instance(boolean createTablesAndBucket) {
      DynamoDbComponentRegistry registry =
          DynamoDbFixture.componentRegistry(tables, bucket, createTablesAndBucket);
      store = EventStore.create(new DynamoDbStorageAdapter(DynamoDbFixture.client(), tables));
      catalog = new ComponentCatalog(store, registry, runtime, Clock.systemUTC());
      views = new StateViews(store, catalog, runtime, 100);
      changes =
          new StateChanges(store, catalog, runtime, views, Clock.systemUTC(), UUID::randomUUID);
    }

    String read(String view) {
      return new String(
          views.read(db, view, null, StateViewRead.latest(Map.of())).content(),
          StandardCharsets.UTF_8);
    }
  }

  @AfterEach
  void close() {
    a.runtime.close();
    b.runtime.close();
  }

  static StateViewDefinition counter(String name) {
    return new StateViewDefinition(
        name, null, "application/json", null, EventSelector.any(), QueryTemporality.REVISION);
  }

  static Event event(String id) {
    return Event.builder().id(id).source("test").type("t").subject("s").build();
  }

  @Test
  void a_view_published_on_one_instance_is_loaded_from_the_registry_and_read_on_the_other() {
    a.store.createDatabase(db);
    var published = a.catalog.publish(db, STATE_VIEW, counter("count"), ComponentApiTest.COUNTER);
    a.store.transact(db, Transaction.of(List.of(event("1"), event("2"), event("3"))));
    assertThat(b.runtime.isLoaded(published.id())).isFalse();

    assertThat(b.read("count")).isEqualTo("3");
    assertThat(b.runtime.isLoaded(published.id())).isTrue();
    assertThat(b.catalog.list(db, STATE_VIEW)).containsExactly(published);
  }

  @Test
  void a_state_change_published_on_one_instance_decides_on_the_other() {
    a.store.createDatabase(db);
    a.catalog.publish(
        db, STATE_CHANGE, new StateChangeDefinition("echo", null), ComponentApiTest.ECHO);
    var decision =
        """
        {"events":[{"specversion":"1.0","id":"e-1","source":"cmd","type":"Done"}],"conditions":[]}
        """;
    var result =
        b.changes.execute(
            db,
            "echo",
            null,
            new Command("application/json", Map.of(), decision.getBytes(StandardCharsets.UTF_8)),
            Provenance.http());
    assertThat(result.events()).hasSize(1);
    assertThat(a.store.database(db).revision()).isEqualTo(1);
  }

  @Test
  void a_re_created_database_runs_its_own_module_on_an_instance_that_loaded_the_old_one() {
    a.store.createDatabase(db);
    a.catalog.publish(db, STATE_VIEW, counter("v"), ComponentApiTest.COUNTER);
    a.store.transact(db, Transaction.of(List.of(event("1"))));
    assertThat(b.read("v")).isEqualTo("1");

    a.store.deleteDatabase(db);
    a.store.createDatabase(db);
    assertThat(b.catalog.list(db, STATE_VIEW)).isEmpty();
    assertThatThrownBy(() -> b.read("v"))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.STATE_VIEW_NOT_FOUND));

    var again = a.catalog.publish(db, STATE_VIEW, counter("v"), FRESH);
    assertThat(again.id().version()).isEqualTo(1);
    a.store.transact(db, Transaction.of(List.of(event("1"))));
    assertThat(b.read("v")).isEqualTo("\"fresh\"");
  }
}
