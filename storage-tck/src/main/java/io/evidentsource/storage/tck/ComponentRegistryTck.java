package io.evidentsource.storage.tck;

import static io.evidentsource.storage.tck.TckFixtures.uniqueDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.component.PublishedStateView;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The component registry port ({@link ComponentRegistry}): dense versions per name and generation,
 * latest and exact lookups, lists by name then version, module bytes, and generations of a
 * re-created database (docs/data-model.md#databases).
 */
public abstract class ComponentRegistryTck {
  private static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123456789Z");
  private static final long GEN = 1;

  /** A ready registry; may be shared between tests (database names are unique). */
  protected abstract ComponentRegistry registry();

  private ComponentRegistry registry;
  private DatabaseName db;

  @BeforeEach
  void setUpRegistry() {
    registry = registry();
    db = uniqueDatabase("reg");
  }

  static StateViewDefinition view(String name) {
    return new StateViewDefinition(
        name, null, "application/json", null, EventSelector.any(), QueryTemporality.REVISION);
  }

  static byte[] module(int seed, int size) {
    var bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (seed * 31 + i);
    }
    return bytes;
  }

  @Nested
  class Versions {
    @Test
    void numbers_the_versions_of_a_name_densely_from_one_and_each_name_on_its_own() {
      var a1 = registry.addStateView(db, GEN, view("a"), module(1, 10), T0);
      var a2 = registry.addStateView(db, GEN, view("a"), module(2, 10), T0);
      var b1 = registry.addStateView(db, GEN, view("b"), module(3, 10), T0);
      var a3 = registry.addStateView(db, GEN, view("a"), module(4, 10), T0);
      assertThat(List.of(a1, a2, b1, a3))
          .extracting(v -> v.id().name() + "@" + v.id().version())
          .containsExactly("a@1", "a@2", "b@1", "a@3");
      assertThat(a3.id()).isEqualTo(new ComponentId(db, GEN, ComponentKind.STATE_VIEW, "a", 3));
    }

    @Test
    void keeps_state_views_and_state_changes_of_the_same_name_apart() {
      registry.addStateView(db, GEN, view("same"), module(1, 10), T0);
      registry.addStateView(db, GEN, view("same"), module(2, 10), T0);
      var change =
          registry.addStateChange(
              db, GEN, new StateChangeDefinition("same", null), module(3, 10), T0);
      assertThat(change.id().version()).isEqualTo(1);
      assertThat(change.id().kind()).isEqualTo(ComponentKind.STATE_CHANGE);
      assertThat(registry.stateViews(db, GEN)).hasSize(2);
      assertThat(registry.stateChanges(db, GEN)).containsExactly(change);
      assertThat(registry.module(change.id()))
          .hasValueSatisfying(m -> assertThat(m).isEqualTo(module(3, 10)));
    }

    @Test
    void gives_concurrent_publishers_of_one_name_distinct_dense_versions_and_loses_none()
        throws Exception {
      int threads = 4;
      int each = 5;
      var start = new CountDownLatch(1);
      var pool = Executors.newFixedThreadPool(threads);
      try {
        var futures = new ArrayList<Future<List<Integer>>>();
        for (int t = 0; t < threads; t++) {
          int seed = t;
          Callable<List<Integer>> task =
              () -> {
                start.await();
                var mine = new ArrayList<Integer>();
                for (int i = 0; i < each; i++) {
                  mine.add(
                      registry
                          .addStateView(db, GEN, view("hot"), module(seed * 100 + i, 64), T0)
                          .id()
                          .version());
                }
                return mine;
              };
          futures.add(pool.submit(task));
        }
        start.countDown();
        var versions = new ArrayList<Integer>();
        for (var f : futures) {
          versions.addAll(f.get());
        }
        assertThat(versions)
            .containsExactlyInAnyOrderElementsOf(
                IntStream.rangeClosed(1, threads * each).boxed().toList());
        assertThat(registry.stateViews(db, GEN)).hasSize(threads * each);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Nested
  class Lookups {
    @Test
    void reads_one_version_or_the_latest_and_nothing_for_unknown_names_or_versions() {
      registry.addStateView(db, GEN, view("v"), module(1, 10), T0);
      var v2 = registry.addStateView(db, GEN, view("v"), module(2, 10), T0.plusSeconds(1));
      assertThat(registry.stateView(db, GEN, "v", null)).contains(v2);
      assertThat(registry.stateView(db, GEN, "v", 1))
          .hasValueSatisfying(v -> assertThat(v.id().version()).isEqualTo(1));
      assertThat(registry.stateView(db, GEN, "v", 3)).isEmpty();
      assertThat(registry.stateView(db, GEN, "v", 0)).isEmpty();
      assertThat(registry.stateView(db, GEN, "other", null)).isEmpty();
      assertThat(registry.stateChange(db, GEN, "v", null)).isEmpty();
    }

    @Test
    void a_name_that_prefixes_another_finds_only_its_own_versions() {
      registry.addStateView(db, GEN, view("count"), module(1, 10), T0);
      registry.addStateView(db, GEN, view("count-all"), module(2, 10), T0);
      registry.addStateView(db, GEN, view("count-all"), module(3, 10), T0);
      assertThat(registry.stateView(db, GEN, "count", null))
          .hasValueSatisfying(v -> assertThat(v.id().version()).isEqualTo(1));
    }

    @Test
    void keeps_every_field_of_the_definition_and_the_publication_time() {
      var definition =
          new StateViewDefinition(
              "orders-by-customer",
              "Orders of one customer",
              "application/vnd.example+json",
              "https://example.com/schema.json",
              EventSelector.and(
                  EventSelector.subject("customer/{id}"),
                  EventSelector.or(
                      EventSelector.eventType("OrderPlaced"),
                      EventSelector.startsWith(Attribute.TAG, "order:")),
                  EventSelector.noSubject()),
              QueryTemporality.EFFECTIVE);
      var published = registry.addStateView(db, GEN, definition, module(1, 123), T0);
      var read = registry.stateView(db, GEN, "orders-by-customer", 1).orElseThrow();
      assertThat(read).isEqualTo(published);
      assertThat(read.definition()).isEqualTo(definition);
      assertThat(read.createdAt()).isEqualTo(T0);
      assertThat(read.moduleSize()).isEqualTo(123);
      var change =
          registry.addStateChange(
              db,
              GEN,
              new StateChangeDefinition("place-order", "Places an order"),
              module(2, 5),
              T0);
      assertThat(registry.stateChange(db, GEN, "place-order", null)).contains(change);
    }

    @Test
    void lists_every_version_of_every_component_by_name_then_version() {
      for (var name : List.of("b", "a_b", "a", "a-b", "a9", "a")) {
        registry.addStateView(db, GEN, view(name), module(1, 10), T0);
      }
      assertThat(registry.stateViews(db, GEN))
          .extracting(v -> v.id().name() + "@" + v.id().version())
          .containsExactly("a@1", "a@2", "a-b@1", "a9@1", "a_b@1", "b@1");
      assertThat(registry.stateChanges(db, GEN)).isEmpty();
      assertThat(registry.stateViews(uniqueDatabase("reg"), GEN)).isEmpty();
    }
  }

  @Nested
  class Modules {
    @Test
    void returns_the_module_bytes_of_each_version() {
      var all = new byte[256];
      for (int i = 0; i < all.length; i++) {
        all[i] = (byte) i;
      }
      var v1 = registry.addStateView(db, GEN, view("m"), all, T0);
      var v2 = registry.addStateView(db, GEN, view("m"), module(7, 1000), T0);
      var v3 = registry.addStateView(db, GEN, view("m"), all, T0);
      assertThat(registry.module(v1.id())).hasValueSatisfying(m -> assertThat(m).isEqualTo(all));
      assertThat(registry.module(v2.id()))
          .hasValueSatisfying(m -> assertThat(m).isEqualTo(module(7, 1000)));
      assertThat(registry.module(v3.id())).hasValueSatisfying(m -> assertThat(m).isEqualTo(all));
    }

    @Test
    void records_size_and_sha256_and_lists_the_versions_of_one_name_ascending() {
      var first = module(1, 100);
      var second = module(2, 300);
      registry.addStateView(db, GEN, view("v"), first, T0);
      registry.addStateView(db, GEN, view("v-other"), first, T0);
      registry.addStateView(db, GEN, view("v"), second, T0);
      registry.addStateChange(db, GEN, new StateChangeDefinition("c", null), second, T0);

      var versions = registry.stateViewVersions(db, GEN, "v");
      assertThat(versions).extracting(v -> v.id().version()).containsExactly(1, 2);
      assertThat(versions.get(1).moduleSize()).isEqualTo(300);
      assertThat(versions.get(1).moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(second));
      assertThat(versions.get(0).moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(first));
      assertThat(registry.stateView(db, GEN, "v", 2))
          .hasValueSatisfying(
              v -> assertThat(v.moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(second)));
      assertThat(registry.stateViewVersions(db, GEN, "nope")).isEmpty();
      assertThat(registry.stateChangeVersions(db, GEN, "v")).isEmpty();
      assertThat(registry.stateViewVersions(db, GEN + 1, "v")).isEmpty();
      assertThat(registry.stateChangeVersions(db, GEN, "c"))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.moduleSize()).isEqualTo(300);
                assertThat(c.moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(second));
              });
    }

    @Test
    void has_no_module_for_an_unknown_component() {
      registry.addStateView(db, GEN, view("m"), module(1, 10), T0);
      assertThat(registry.module(new ComponentId(db, GEN, ComponentKind.STATE_VIEW, "m", 2)))
          .isEmpty();
      assertThat(registry.module(new ComponentId(db, GEN, ComponentKind.STATE_CHANGE, "m", 1)))
          .isEmpty();
      assertThat(registry.module(new ComponentId(db, GEN + 1, ComponentKind.STATE_VIEW, "m", 1)))
          .isEmpty();
    }
  }

  @Nested
  class Generations {
    @Test
    void a_later_generation_of_the_database_sees_none_of_the_earlier_components() {
      registry.addStateView(db, 1, view("v"), module(1, 10), T0);
      registry.addStateView(db, 1, view("v"), module(2, 10), T0);
      registry.addStateChange(db, 1, new StateChangeDefinition("c", null), module(3, 10), T0);
      registry.forget(db);
      assertThat(registry.stateViews(db, 2)).isEmpty();
      assertThat(registry.stateChanges(db, 2)).isEmpty();
      assertThat(registry.stateView(db, 2, "v", null)).isEmpty();
      assertThat(registry.module(new ComponentId(db, 2, ComponentKind.STATE_VIEW, "v", 1)))
          .isEmpty();
    }

    @Test
    void numbers_versions_from_one_again_in_a_new_generation_and_serves_its_own_module() {
      registry.addStateView(db, 1, view("v"), module(1, 10), T0);
      registry.addStateView(db, 1, view("v"), module(2, 10), T0);
      registry.forget(db);
      PublishedStateView again = registry.addStateView(db, 2, view("v"), module(3, 10), T0);
      assertThat(again.id()).isEqualTo(new ComponentId(db, 2, ComponentKind.STATE_VIEW, "v", 1));
      assertThat(registry.module(again.id()))
          .hasValueSatisfying(m -> assertThat(m).isEqualTo(module(3, 10)));
      assertThat(registry.stateViews(db, 2)).containsExactly(again);
    }
  }
}
