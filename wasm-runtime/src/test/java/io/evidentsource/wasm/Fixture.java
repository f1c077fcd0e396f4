package io.evidentsource.wasm;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.memory.InMemoryStorage;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/** A real event store, registry and Chicory runtime wired as the server wires them. */
final class Fixture implements AutoCloseable {
  static final DatabaseName DB = DatabaseName.of("bank");

  final EventStore store;
  final ChicoryComponentRuntime runtime;
  final ComponentRegistry registry;
  final ComponentCatalog catalog;
  final StateViews views;
  final StateChanges changes;

  Fixture(WasmLimits limits) {
    this(new ChicoryComponentRuntime(limits));
  }

  Fixture(ChicoryComponentRuntime runtime) {
    this(InMemoryStorage.create(), runtime);
    store.createDatabase(DB);
  }

  private Fixture(Storage storage, ChicoryComponentRuntime runtime) {
    this(EventStore.create(storage.log()), storage.components(), runtime);
  }

  /**
   * Another server over the same store and registry as {@code shared} (an instance of a cluster),
   * with a runtime of its own: it loads what {@code shared} published on first use.
   */
  Fixture(Fixture shared, ChicoryComponentRuntime runtime) {
    this(shared.store, shared.registry, runtime);
  }

  private Fixture(EventStore store, ComponentRegistry registry, ChicoryComponentRuntime runtime) {
    this.store = store;
    this.registry = registry;
    this.runtime = runtime;
    catalog = new ComponentCatalog(store, registry, runtime, Clock.systemUTC());
    views = new StateViews(store, catalog, runtime, 1000);
    changes = new StateChanges(store, catalog, runtime, views, Clock.systemUTC(), UUID::randomUUID);
  }

  Fixture() {
    this(WasmLimits.defaults());
  }

  /** Publishes the next version of a state view in {@link #DB}. */
  PublishedComponent<StateViewDefinition> publishView(
      StateViewDefinition definition, byte[] module) {
    return catalog.publish(DB, ComponentKind.STATE_VIEW, definition, module);
  }

  /** Publishes the next version of a state change in {@link #DB}. */
  PublishedComponent<StateChangeDefinition> publishChange(
      StateChangeDefinition definition, byte[] module) {
    return catalog.publish(DB, ComponentKind.STATE_CHANGE, definition, module);
  }

  static StateViewDefinition view(String name, EventSelector selector) {
    return new StateViewDefinition(
        name, null, "application/json", null, selector, QueryTemporality.REVISION);
  }

  static StateViewDefinition effectiveView(String name, EventSelector selector) {
    return new StateViewDefinition(
        name, null, "application/json", null, selector, QueryTemporality.EFFECTIVE);
  }

  static Event event(String id, String subject) {
    return Event.builder().id(id).source("test").type("t").subject(subject).build();
  }

  void append(Event... events) {
    store.transact(DB, Transaction.of(List.of(events)));
  }

  @Override
  public void close() {
    runtime.close();
  }
}
