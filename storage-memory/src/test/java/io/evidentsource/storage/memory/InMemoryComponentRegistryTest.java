package io.evidentsource.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.ComponentRegistryTck;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The component registry conformance suite against the in-memory registry, and what only the heap
 * registry promises: its modules are copies.
 */
class InMemoryComponentRegistryTest extends ComponentRegistryTck {
  private static final ComponentRegistry REGISTRY = new InMemoryComponentRegistry();
  static final DatabaseName DB = DatabaseName.of("db");
  static final long G = 1; // the database generation
  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Override
  protected ComponentRegistry registry() {
    return REGISTRY;
  }

  static StateViewDefinition view(String name) {
    return new StateViewDefinition(
        name, null, "application/json", null, EventSelector.any(), QueryTemporality.REVISION);
  }

  @Test
  void records_size_and_digest_and_lists_the_versions_of_one_name_ascending() {
    var registry = new InMemoryComponentRegistry();
    byte[] first = {0, 'a', 's', 'm', 1};
    byte[] second = {0, 'a', 's', 'm', 2, 3};
    registry.add(DB, G, ComponentKind.STATE_VIEW, view("v"), first, T);
    registry.add(DB, G, ComponentKind.STATE_VIEW, view("other"), first, T);
    registry.add(DB, G, ComponentKind.STATE_VIEW, view("v"), second, T);
    var versions = registry.versions(DB, G, ComponentKind.STATE_VIEW, "v");
    assertThat(versions).extracting(PublishedComponent::version).containsExactly(1, 2);
    assertThat(versions.get(1).moduleSize()).isEqualTo(6);
    assertThat(versions.get(1).moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(second));
    assertThat(registry.module(versions.get(1).id()))
        .hasValueSatisfying(m -> assertThat(m).isEqualTo(second));
    assertThat(registry.versions(DB, G, ComponentKind.STATE_VIEW, "nope")).isEmpty();
    assertThat(registry.versions(DB, G, ComponentKind.STATE_CHANGE, "v")).isEmpty();

    registry.add(
        DB, G, ComponentKind.STATE_CHANGE, new StateChangeDefinition("c", null), second, T);
    assertThat(registry.versions(DB, G, ComponentKind.STATE_CHANGE, "c"))
        .singleElement()
        .satisfies(c -> assertThat(c.moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(second)));
  }

  @Test
  void the_stored_module_is_a_copy_of_what_was_published() {
    var registry = new InMemoryComponentRegistry();
    byte[] module = {1, 2, 3};
    var published = registry.add(DB, G, ComponentKind.STATE_VIEW, view("v"), module, T);
    module[0] = 9;
    assertThat(registry.module(published.id()))
        .hasValueSatisfying(m -> assertThat(m).containsExactly(1, 2, 3));
    assertThat(published.moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(new byte[] {1, 2, 3}));
  }

  @Test
  void forgetting_a_deleted_database_keeps_the_components_of_one_created_again_meanwhile() {
    var storage = InMemoryStorage.create();
    var log = storage.log();
    var registry = storage.components();
    long first = log.createDatabase(DB, T).generation();
    var old = registry.add(DB, first, ComponentKind.STATE_VIEW, view("v"), new byte[] {1}, T);
    log.deleteDatabase(DB);
    long second = log.createDatabase(DB, T).generation();
    var fresh = registry.add(DB, second, ComponentKind.STATE_VIEW, view("v"), new byte[] {2}, T);

    registry.forget(DB); // the first delete's cleanup, arriving late

    assertThat(registry.find(DB, second, ComponentKind.STATE_VIEW, "v", null)).contains(fresh);
    assertThat(registry.module(fresh.id())).isPresent();
    assertThat(registry.module(old.id())).isEmpty();
    log.deleteDatabase(DB);
    registry.forget(DB);
    assertThat(registry.module(fresh.id())).isEmpty();
  }
}
