package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.query.Snapshot;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StateViewTest {
  private final Fixture f = new Fixture(WasmLimits.defaults().withEvolveBatchEvents(7));

  @AfterEach
  void close() {
    f.close();
  }

  private String read(String name, StateViewRead read) {
    return new String(f.views.read(DB, name, null, read).content(), StandardCharsets.UTF_8);
  }

  @Nested
  class Publishing {
    @Test
    void versions_count_from_one_per_name() {
      var v1 = f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      var v2 = f.publishView(Fixture.view("count", EventSelector.any()), Wat.lastIdView());
      var other = f.publishView(Fixture.view("other", EventSelector.any()), Wat.countingView());
      assertThat(v1.id().version()).isEqualTo(1);
      assertThat(v2.id().version()).isEqualTo(2);
      assertThat(other.id().version()).isEqualTo(1);
      assertThat(f.catalog.list(DB, ComponentKind.STATE_VIEW))
          .extracting(v -> v.id().name() + "@" + v.id().version())
          .containsExactly("count@1", "count@2", "other@1");
    }

    @Test
    void a_re_created_database_runs_its_new_version_one_not_the_loaded_module_of_the_old_one() {
      var old = f.publishView(Fixture.view("v", EventSelector.any()), Wat.countingView());
      f.append(event("a", "x"));
      assertThat(read("v", StateViewRead.latest(Map.of()))).isEqualTo("1");
      f.store.deleteDatabase(DB);
      f.registry.forget(DB);
      f.store.createDatabase(DB);
      assertThat(f.catalog.list(DB, ComponentKind.STATE_VIEW)).isEmpty();
      var again = f.publishView(Fixture.view("v", EventSelector.any()), Wat.lastIdView());
      assertThat(again.id().version()).isEqualTo(1);
      f.append(event("b", "y"));
      assertThat(read("v", StateViewRead.latest(Map.of()))).isEqualTo("\"b\"");
      // the old generation's module is unloaded, not kept for ever
      assertThat(f.runtime.isLoaded(old.id())).isFalse();
      assertThat(f.runtime.isLoaded(again.id())).isTrue();
    }

    @Test
    void reads_the_latest_version_unless_one_is_named() {
      f.publishView(Fixture.view("v", EventSelector.any()), Wat.countingView());
      f.publishView(Fixture.view("v", EventSelector.any()), Wat.lastIdView());
      f.append(event("a", "x"), event("b", "y"));
      assertThat(read("v", StateViewRead.latest(Map.of()))).isEqualTo("\"b\"");
      assertThat(
              new String(
                  f.views.read(DB, "v", 1, StateViewRead.latest(Map.of())).content(),
                  StandardCharsets.UTF_8))
          .isEqualTo("2");
    }

    @Test
    void an_unknown_view_is_state_view_not_found() {
      assertThatThrownBy(() -> f.views.read(DB, "nope", null, StateViewRead.latest(Map.of())))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.STATE_VIEW_NOT_FOUND));
    }
  }

  @Nested
  class Reading {
    @Test
    void folds_the_matching_events_with_parameters_filling_the_selector() {
      f.publishView(
          Fixture.view("per-subject", new EventSelector.Equals(Attribute.SUBJECT, "acct/{id}")),
          Wat.countingView());
      f.append(event("1", "acct/a"), event("2", "acct/b"), event("3", "acct/a"));
      var a = f.views.read(DB, "per-subject", null, StateViewRead.latest(Map.of("id", "a")));
      assertThat(new String(a.content(), StandardCharsets.UTF_8)).isEqualTo("2");
      assertThat(a.revision()).isEqualTo(3);
      assertThat(a.lastModifiedRevision()).isEqualTo(3);
      var b = f.views.read(DB, "per-subject", null, StateViewRead.latest(Map.of("id", "b")));
      assertThat(new String(b.content(), StandardCharsets.UTF_8)).isEqualTo("1");
      assertThat(b.lastModifiedRevision()).isEqualTo(2);
      assertThat(b.lastModifiedTime()).isNotNull();
    }

    @Test
    void a_missing_parameter_is_named() {
      f.publishView(
          Fixture.view("per-subject", new EventSelector.Equals(Attribute.SUBJECT, "acct/{id}")),
          Wat.countingView());
      assertThatThrownBy(
              () -> f.views.read(DB, "per-subject", null, StateViewRead.latest(Map.of())))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
                assertThat(e.fields()).containsEntry("parameter", "id");
                assertThat(e.getMessage()).endsWith("needs the parameter 'id'; none was given");
              });
      // a typo: the message shows what was given instead
      assertThatThrownBy(
              () ->
                  f.views.read(
                      DB, "per-subject", null, StateViewRead.latest(Map.of("idd", "a", "x", "b"))))
          .hasMessageEndingWith("needs the parameter 'id'; given: [idd, x]");
    }

    @Test
    void reads_at_a_past_revision_and_transaction_time() {
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      f.append(event("1", "s"), event("2", "s"));
      var recorded = f.store.event(DB, 2).recordedTime();
      f.append(event("3", "s"));
      assertThat(read("count", StateViewRead.latest(Map.of()))).isEqualTo("3");
      assertThat(read("count", StateViewRead.at(1, Map.of()))).isEqualTo("1");
      assertThat(
              read(
                  "count",
                  new StateViewRead(Snapshot.asOfTransactionTime(recorded), null, Map.of())))
          .isEqualTo("2");
      assertThat(read("count", StateViewRead.latest(Map.of()))).isEqualTo("3");
    }

    @Test
    void a_view_without_matching_events_has_no_state() {
      f.publishView(Fixture.view("count", EventSelector.subject("none")), Wat.countingView());
      f.append(event("1", "s"));
      var r = f.views.read(DB, "count", null, StateViewRead.latest(Map.of()));
      assertThat(r.hasState()).isFalse();
      assertThat(r.lastModifiedRevision()).isZero();
      assertThat(r.revision()).isEqualTo(1);
    }

    @Test
    void an_effective_view_folds_in_effective_time_order_so_a_backdated_event_changes_the_past() {
      f.publishView(Fixture.effectiveView("last", EventSelector.any()), Wat.lastIdView());
      f.append(timed("jan", "2026-01-01T00:00:00Z"), timed("mar", "2026-03-01T00:00:00Z"));
      assertThat(read("last", StateViewRead.latest(Map.of()))).isEqualTo("\"mar\"");
      // a backdated event lands in February: the latest state is still March's ...
      f.append(timed("feb", "2026-02-01T00:00:00Z"));
      assertThat(read("last", StateViewRead.latest(Map.of()))).isEqualTo("\"mar\"");
      // ... but the state as of mid-February now includes it
      var midFeb = Instant.parse("2026-02-15T00:00:00Z");
      assertThat(read("last", new StateViewRead(Snapshot.head(), midFeb, Map.of())))
          .isEqualTo("\"feb\"");
      assertThat(read("last", new StateViewRead(Snapshot.atRevision(2), midFeb, Map.of())))
          .isEqualTo("\"jan\"");
    }

    @Test
    void as_of_effective_time_is_refused_on_a_revision_view() {
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      assertThatThrownBy(
              () ->
                  f.views.read(
                      DB,
                      "count",
                      null,
                      new StateViewRead(Snapshot.head(), Instant.EPOCH, Map.of())))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.fields()).containsEntry("parameter", "as_of_effective_time"));
    }

    private Event timed(String id, String time) {
      return Event.builder().id(id).source("test").type("t").time(time).build();
    }
  }

  @Nested
  class Cache {
    @Test
    void incremental_and_from_scratch_folds_give_the_same_bytes() {
      // property: over random append sequences and read points, the cached, incrementally
      // extended state equals a fold from the empty state (batches of 7 events per evolve call)
      var random = new Random(42);
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      f.publishView(Fixture.effectiveView("last", EventSelector.any()), Wat.lastIdView());
      int id = 0;
      for (int round = 0; round < 40; round++) {
        int n = 1 + random.nextInt(20);
        var batch = new Event[n];
        for (int i = 0; i < n; i++) {
          var day = 1 + random.nextInt(28);
          batch[i] =
              Event.builder()
                  .id("e" + id++)
                  .source("test")
                  .type("t")
                  .time(String.format("2026-02-%02dT00:00:00Z", day))
                  .build();
        }
        f.append(batch);
        for (var view : new String[] {"count", "last"}) {
          var head = StateViewRead.latest(Map.of());
          assertThat(f.views.read(DB, view, null, head).content())
              .as("%s after round %d", view, round)
              .isEqualTo(f.views.foldFromScratch(DB, view, null, head));
        }
      }
      assertThat(read("count", StateViewRead.latest(Map.of()))).isEqualTo(Integer.toString(id));
    }

    @Test
    void a_byte_budget_drops_least_recently_used_folds_and_reads_stay_correct() {
      // room for two per-subject counts of one digit: the cache keeps at most two of five subjects
      long budget = 2 * (StateViews.CACHE_ENTRY_OVERHEAD_BYTES + 1);
      var views = new StateViews(f.store, f.catalog, f.runtime, 1000, budget);
      f.publishView(
          Fixture.view("per-subject", new EventSelector.Equals(Attribute.SUBJECT, "{id}")),
          Wat.countingView());
      var random = new Random(7);
      var counts = new int[5];
      for (int round = 0; round < 40; round++) {
        int subject = random.nextInt(5);
        if (counts[subject] < 9) {
          f.append(event("e" + round, "s" + subject));
          counts[subject]++;
        }
        int reader = random.nextInt(5);
        var read = StateViewRead.latest(Map.of("id", "s" + reader));
        var content = views.read(DB, "per-subject", null, read).content();
        assertThat(content)
            .as("s%d in round %d", reader, round)
            .isEqualTo(views.foldFromScratch(DB, "per-subject", null, read));
        assertThat(new String(content, StandardCharsets.UTF_8))
            .isEqualTo(counts[reader] == 0 ? "" : Integer.toString(counts[reader]));
        assertThat(views.cachedBytes()).isLessThanOrEqualTo(budget);
        assertThat(views.cachedFolds()).isLessThanOrEqualTo(2);
      }
      assertThat(views.cachedFolds()).isEqualTo(2);
    }

    @Test
    void a_state_larger_than_the_whole_budget_is_not_cached_but_still_read() {
      long budget = StateViews.CACHE_ENTRY_OVERHEAD_BYTES + 1;
      var views = new StateViews(f.store, f.catalog, f.runtime, 1000, budget);
      f.publishView(Fixture.view("count", EventSelector.any()), Wat.countingView());
      for (int i = 0; i < 5; i++) {
        f.append(event("a" + i, "x"));
      }
      var head = StateViewRead.latest(Map.of());
      assertThat(views.read(DB, "count", null, head).content()).asString().isEqualTo("5");
      assertThat(views.cachedFolds()).isEqualTo(1);
      assertThat(views.cachedBytes()).isEqualTo(budget);
      for (int i = 0; i < 7; i++) {
        f.append(event("b" + i, "x"));
      }
      assertThat(views.read(DB, "count", null, head).content()).asString().isEqualTo("12");
      assertThat(views.cachedFolds()).as("two bytes of state do not fit").isZero();
      assertThat(views.cachedBytes()).isZero();
      assertThat(views.read(DB, "count", null, head).content()).asString().isEqualTo("12");
    }
  }
}
