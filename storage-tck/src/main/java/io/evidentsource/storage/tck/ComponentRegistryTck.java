package io.evidentsource.storage.tck;

import static io.evidentsource.core.component.ComponentKind.STATE_CHANGE;
import static io.evidentsource.core.component.ComponentKind.STATE_VIEW;
import static io.evidentsource.storage.tck.TckFixtures.uniqueDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.component.PublishedComponent;
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
      var a1 = registry.add(db, GEN, STATE_VIEW, view("a"), module(1, 10), T0);
      var a2 = registry.add(db, GEN, STATE_VIEW, view("a"), module(2, 10), T0);
      var b1 = registry.add(db, GEN, STATE_VIEW, view("b"), module(3, 10), T0);
      var a3 = registry.add(db, GEN, STATE_VIEW, view("a"), module(4, 10), T0);
      assertThat(List.of(a1, a2, b1, a3))
          .extracting(v -> v.id().name() + "@" + v.id().version())
          .containsExactly("a@1", "a@2", "b@1", "a@3");
      assertThat(a3.id()).isEqualTo(new ComponentId(db, GEN, STATE_VIEW, "a", 3));
    }

    @Test
    void keeps_state_views_and_state_changes_of_the_same_name_apart() {
      registry.add(db, GEN, STATE_VIEW, view("same"), module(1, 10), T0);
      registry.add(db, GEN, STATE_VIEW, view("same"), module(2, 10), T0);
      var change =
          registry.add(
              db, GEN, STATE_CHANGE, new StateChangeDefinition("same", null), module(3, 10), T0);
      assertThat(change.id().version()).isEqualTo(1);
      assertThat(change.id().kind()).isEqualTo(STATE_CHANGE);
      assertThat(registry.list(db, GEN, STATE_VIEW)).hasSize(2);
      assertThat(registry.list(db, GEN, STATE_CHANGE)).containsExactly(change);
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
                          .add(db, GEN, STATE_VIEW, view("hot"), module(seed * 100 + i, 64), T0)
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
        assertThat(registry.list(db, GEN, STATE_VIEW)).hasSize(threads * each);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Nested
  class Lookups {
    @Test
    void reads_one_version_or_the_latest_and_nothing_for_unknown_names_or_versions() {
      registry.add(db, GEN, STATE_VIEW, view("v"), module(1, 10), T0);
      var v2 = registry.add(db, GEN, STATE_VIEW, view("v"), module(2, 10), T0.plusSeconds(1));
      assertThat(registry.find(db, GEN, STATE_VIEW, "v", null)).contains(v2);
      assertThat(registry.find(db, GEN, STATE_VIEW, "v", 1))
          .hasValueSatisfying(v -> assertThat(v.id().version()).isEqualTo(1));
      assertThat(registry.find(db, GEN, STATE_VIEW, "v", 3)).isEmpty();
      assertThat(registry.find(db, GEN, STATE_VIEW, "v", 0)).isEmpty();
      assertThat(registry.find(db, GEN, STATE_VIEW, "other", null)).isEmpty();
      assertThat(registry.find(db, GEN, STATE_CHANGE, "v", null)).isEmpty();
    }

    @Test
    void a_name_that_prefixes_another_finds_only_its_own_versions() {
      registry.add(db, GEN, STATE_VIEW, view("count"), module(1, 10), T0);
      registry.add(db, GEN, STATE_VIEW, view("count-all"), module(2, 10), T0);
      registry.add(db, GEN, STATE_VIEW, view("count-all"), module(3, 10), T0);
      assertThat(registry.find(db, GEN, STATE_VIEW, "count", null))
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
      var published = registry.add(db, GEN, STATE_VIEW, definition, module(1, 123), T0);
      var read = registry.find(db, GEN, STATE_VIEW, "orders-by-customer", 1).orElseThrow();
      assertThat(read).isEqualTo(published);
      assertThat(read.definition()).isEqualTo(definition);
      assertThat(read.createdAt()).isEqualTo(T0);
      assertThat(read.moduleSize()).isEqualTo(123);
      var change =
          registry.add(
              db,
              GEN,
              STATE_CHANGE,
              new StateChangeDefinition("place-order", "Places an order"),
              module(2, 5),
              T0);
      assertThat(registry.find(db, GEN, STATE_CHANGE, "place-order", null)).contains(change);
    }

    @Test
    void lists_every_version_of_every_component_by_name_then_version() {
      for (var name : List.of("b", "a_b", "a", "a-b", "a9", "a")) {
        registry.add(db, GEN, STATE_VIEW, view(name), module(1, 10), T0);
      }
      assertThat(registry.list(db, GEN, STATE_VIEW))
          .extracting(v -> v.id().name() + "@" + v.id().version())
          .containsExactly("a@1", "a@2", "a-b@1", "a9@1", "a_b@1", "b@1");
      assertThat(registry.list(db, GEN, STATE_CHANGE)).isEmpty();
      assertThat(registry.list(uniqueDatabase("reg"), GEN, STATE_VIEW)).isEmpty();
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
      var v1 = registry.add(db, GEN, STATE_VIEW, view("m"), all, T0);
      var v2 = registry.add(db, GEN, STATE_VIEW, view("m"), module(7, 1000), T0);
      var v3 = registry.add(db, GEN, STATE_VIEW, view("m"), all, T0);
      assertThat(registry.module(v1.id())).hasValueSatisfying(m -> assertThat(m).isEqualTo(all));
      assertThat(registry.module(v2.id()))
          .hasValueSatisfying(m -> assertThat(m).isEqualTo(module(7, 1000)));
      assertThat(registry.module(v3.id())).hasValueSatisfying(m -> assertThat(m).isEqualTo(all));
    }

    @Test
    void records_size_and_sha256_and_lists_the_versions_of_one_name_ascending() {
      var first = module(1, 100);
      var second = module(2, 300);
      registry.add(db, GEN, STATE_VIEW, view("v"), first, T0);
      registry.add(db, GEN, STATE_VIEW, view("v-other"), first, T0);
      registry.add(db, GEN, STATE_VIEW, view("v"), second, T0);
      registry.add(db, GEN, STATE_CHANGE, new StateChangeDefinition("c", null), second, T0);

      var versions = registry.versions(db, GEN, STATE_VIEW, "v");
      assertThat(versions).extracting(v -> v.id().version()).containsExactly(1, 2);
      assertThat(versions.get(1).moduleSize()).isEqualTo(300);
      assertThat(versions.get(1).moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(second));
      assertThat(versions.get(0).moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(first));
      assertThat(registry.find(db, GEN, STATE_VIEW, "v", 2))
          .hasValueSatisfying(
              v -> assertThat(v.moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(second)));
      assertThat(registry.versions(db, GEN, STATE_VIEW, "nope")).isEmpty();
      assertThat(registry.versions(db, GEN, STATE_CHANGE, "v")).isEmpty();
      assertThat(registry.versions(db, GEN + 1, STATE_VIEW, "v")).isEmpty();
      assertThat(registry.versions(db, GEN, STATE_CHANGE, "c"))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.moduleSize()).isEqualTo(300);
                assertThat(c.moduleSha256()).isEqualTo(ModuleDigest.sha256Hex(second));
              });
    }

    @Test
    void has_no_module_for_an_unknown_component() {
      registry.add(db, GEN, STATE_VIEW, view("m"), module(1, 10), T0);
      assertThat(registry.module(new ComponentId(db, GEN, STATE_VIEW, "m", 2))).isEmpty();
      assertThat(registry.module(new ComponentId(db, GEN, STATE_CHANGE, "m", 1))).isEmpty();
      assertThat(registry.module(new ComponentId(db, GEN + 1, STATE_VIEW, "m", 1))).isEmpty();
    }
  }

  @Nested
  class Generations {
    @Test
    void a_later_generation_of_the_database_sees_none_of_the_earlier_components() {
      registry.add(db, 1, STATE_VIEW, view("v"), module(1, 10), T0);
      registry.add(db, 1, STATE_VIEW, view("v"), module(2, 10), T0);
      registry.add(db, 1, STATE_CHANGE, new StateChangeDefinition("c", null), module(3, 10), T0);
      registry.forget(db);
      assertThat(registry.list(db, 2, STATE_VIEW)).isEmpty();
      assertThat(registry.list(db, 2, STATE_CHANGE)).isEmpty();
      assertThat(registry.find(db, 2, STATE_VIEW, "v", null)).isEmpty();
      assertThat(registry.module(new ComponentId(db, 2, STATE_VIEW, "v", 1))).isEmpty();
    }

    @Test
    void numbers_versions_from_one_again_in_a_new_generation_and_serves_its_own_module() {
      registry.add(db, 1, STATE_VIEW, view("v"), module(1, 10), T0);
      registry.add(db, 1, STATE_VIEW, view("v"), module(2, 10), T0);
      registry.forget(db);
      PublishedComponent<StateViewDefinition> again =
          registry.add(db, 2, STATE_VIEW, view("v"), module(3, 10), T0);
      assertThat(again.id()).isEqualTo(new ComponentId(db, 2, STATE_VIEW, "v", 1));
      assertThat(registry.module(again.id()))
          .hasValueSatisfying(m -> assertThat(m).isEqualTo(module(3, 10)));
      assertThat(registry.list(db, 2, STATE_VIEW)).containsExactly(again);
    }
  }
}
