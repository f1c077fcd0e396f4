package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.selector.EventSelector;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Modules and instances are let go of when nothing will call them (issue 18): a deleted database's
 * modules and idle instances, and instances that sat idle past the pool's idle timeout. Asserted on
 * the runtime's own counts, not on timing or the heap.
 */
class PoolReleaseTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final Fixture f =
      new Fixture(
          new ChicoryComponentRuntime(
              WasmLimits.defaults().withPoolIdleTimeout(Duration.ofSeconds(60)),
              MachineFactoryCompiler::compile,
              () -> 0,
              nanos::get));

  @AfterEach
  void close() {
    f.close();
  }

  private String count() {
    return new String(
        f.views.read(DB, "count", null, StateViewRead.latest(Map.of())).content(),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Nested
  class When_a_database_is_deleted {
    @Test
    void its_modules_idle_instances_and_cached_folds_are_released() {
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      f.publishChange(
          new io.evidentsource.core.component.StateChangeDefinition("noop", null),
          Wat.fixedDecision("{\"events\":[]}"));
      f.append(event("1", "s"));
      assertThat(count()).isEqualTo("1");
      assertThat(f.runtime.loadedModules()).isEqualTo(3);
      assertThat(f.runtime.idleInstancesTotal()).isGreaterThanOrEqualTo(3);
      assertThat(f.views.cachedFolds()).isEqualTo(1);

      f.store.deleteDatabase(DB);
      f.catalog.forget(DB);

      assertThat(f.runtime.loadedModules()).isZero();
      assertThat(f.runtime.idleInstancesTotal()).isZero();
      assertThat(f.views.cachedFolds()).isZero();
      assertThat(f.views.cachedBytes()).isZero();
    }

    @Test
    void a_database_created_again_loads_its_own_modules() {
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      f.store.deleteDatabase(DB);
      f.catalog.forget(DB);
      f.store.createDatabase(DB);
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      f.append(event("1", "s"), event("2", "s"));

      assertThat(count()).isEqualTo("2");
      assertThat(f.runtime.loadedModules()).isEqualTo(1);
    }

    @Test
    void other_databases_keep_theirs() {
      var other = io.evidentsource.core.model.DatabaseName.of("other");
      f.store.createDatabase(other);
      f.catalog.publish(
          other,
          ComponentKind.STATE_VIEW,
          Fixture.view("count", EventSelector.any()),
          Wat.countingView());
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());

      f.store.deleteDatabase(DB);
      f.catalog.forget(DB);

      var id = f.catalog.describe(other, ComponentKind.STATE_VIEW, "count", 1).id();
      assertThat(f.runtime.loadedModules()).isEqualTo(1);
      assertThat(f.runtime.isLoaded(id)).isTrue();
      assertThat(f.runtime.idleInstances(id)).isEqualTo(1);
    }
  }

  @Nested
  class Idle_instances {
    @Test
    void are_released_once_idle_for_the_idle_timeout_and_recreated_on_demand() {
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      var id = f.catalog.describe(DB, ComponentKind.STATE_VIEW, "count", 1).id();
      f.append(event("1", "s"));
      assertThat(count()).isEqualTo("1");
      assertThat(f.runtime.idleInstances(id)).isEqualTo(1);
      int created = f.runtime.instancesCreated(id);

      nanos.addAndGet(Duration.ofSeconds(59).toNanos());
      assertThat(f.runtime.releaseIdle()).isZero();
      assertThat(f.runtime.idleInstances(id)).isEqualTo(1);

      nanos.addAndGet(Duration.ofSeconds(1).toNanos());
      assertThat(f.runtime.releaseIdle()).isEqualTo(1);
      assertThat(f.runtime.idleInstances(id)).isZero();
      assertThat(f.runtime.isLoaded(id)).isTrue();

      f.append(event("2", "s"));
      assertThat(count()).isEqualTo("2");
      assertThat(f.runtime.instancesCreated(id)).isEqualTo(created + 1);
      assertThat(f.runtime.idleInstances(id)).isEqualTo(1);
    }

    @Test
    void a_used_instance_starts_its_idle_time_anew() {
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      var id = f.catalog.describe(DB, ComponentKind.STATE_VIEW, "count", 1).id();
      nanos.addAndGet(Duration.ofSeconds(50).toNanos());
      f.append(event("1", "s"));
      assertThat(count()).isEqualTo("1"); // takes the instance and pools it again at t=50s

      nanos.addAndGet(Duration.ofSeconds(50).toNanos());
      assertThat(f.runtime.releaseIdle()).isZero();
      assertThat(f.runtime.idleInstances(id)).isEqualTo(1);
    }
  }
}
