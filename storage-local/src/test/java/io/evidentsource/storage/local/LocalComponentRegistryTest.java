package io.evidentsource.storage.local;

import static io.evidentsource.core.component.ComponentKind.STATE_VIEW;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.ComponentRegistryTck;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The component registry conformance suite against RocksDB. */
class LocalComponentRegistryTest extends ComponentRegistryTck {
  @RegisterExtension
  static final LocalStorageExtension LOCAL = new LocalStorageExtension("components");

  private static final Instant T0 = Instant.parse("2026-03-04T05:06:07Z");

  @Override
  protected ComponentRegistry registry() {
    return LOCAL.storage().componentRegistry();
  }

  /**
   * The late cleanup of a delete (the server lets go of the components after the delete returned)
   * meets a database created again under the name in between: only the deleted generation goes.
   */
  @Test
  void forgetting_a_deleted_database_keeps_the_components_of_one_created_again_meanwhile() {
    var storage = LOCAL.storage().storageAdapter();
    var registry = LOCAL.storage().componentRegistry();
    var db = DatabaseName.of("recreated");
    long first = storage.createDatabase(db, T0).generation();
    var old = registry.add(db, first, STATE_VIEW, view("v"), new byte[] {1, 2, 3}, T0);
    storage.deleteDatabase(db);
    long second = storage.createDatabase(db, T0).generation();
    var fresh = registry.add(db, second, STATE_VIEW, view("v"), new byte[] {4, 5, 6}, T0);

    registry.forget(db); // the first delete's cleanup, arriving late

    assertThat(registry.find(db, second, STATE_VIEW, "v", null)).contains(fresh);
    assertThat(registry.module(fresh.id())).hasValueSatisfying(m -> assertThat(m).hasSize(3));
    assertThat(registry.find(db, first, STATE_VIEW, "v", null)).isEmpty();
    assertThat(registry.module(old.id())).isEmpty();
  }

  @Test
  void forgetting_a_deleted_database_removes_every_earlier_generation_once_none_is_live() {
    var storage = LOCAL.storage().storageAdapter();
    var registry = LOCAL.storage().componentRegistry();
    var db = DatabaseName.of("deleted-twice");
    long first = storage.createDatabase(db, T0).generation();
    registry.add(db, first, STATE_VIEW, view("a"), new byte[] {1}, T0);
    storage.deleteDatabase(db);
    long second = storage.createDatabase(db, T0).generation();
    registry.add(db, second, STATE_VIEW, view("b"), new byte[] {2}, T0);
    storage.deleteDatabase(db);

    registry.forget(db);

    assertThat(registry.list(db, first, STATE_VIEW)).isEmpty();
    assertThat(registry.list(db, second, STATE_VIEW)).isEmpty();
  }

  private static StateViewDefinition view(String name) {
    return new StateViewDefinition(
        name, null, "application/json", null, EventSelector.any(), QueryTemporality.REVISION);
  }
}
