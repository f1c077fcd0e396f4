package io.evidentsource.storage.tck;

import static io.evidentsource.core.condition.AppendCondition.max;
import static io.evidentsource.core.condition.AppendCondition.min;
import static io.evidentsource.core.condition.AppendCondition.range;
import static io.evidentsource.core.selector.EventSelector.and;
import static io.evidentsource.core.selector.EventSelector.eventType;
import static io.evidentsource.core.selector.EventSelector.noSubject;
import static io.evidentsource.core.selector.EventSelector.or;
import static io.evidentsource.core.selector.EventSelector.startsWith;
import static io.evidentsource.core.selector.EventSelector.stream;
import static io.evidentsource.core.selector.EventSelector.subject;
import static io.evidentsource.core.selector.EventSelector.tag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.RecordedTransaction;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.condition.FailedCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;
import io.evidentsource.core.query.QueryPage;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.Dcb;
import io.evidentsource.core.selector.EventSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The event store's semantics (docs/data-model.md, docs/queries.md) run on an adapter:
 * transactions, append conditions, duplicate ids, idempotency, selectors, snapshots, time travel
 * and paging.
 */
public abstract class EventStoreTck {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00.000001Z");

  /** A ready adapter; may be shared between tests (names are unique). */
  protected abstract StorageAdapter adapter();

  /**
   * The index segments the store under test seals and loads (ADR 0011), or null (the default) for
   * an index built from the log only; a suite overrides it to run every test with segments on.
   */
  protected @Nullable IndexSegments segments() {
    return null;
  }

  /**
   * The bound in bytes on the store's index cache ({@code EventStore#indexCacheBytes()}: the
   * indexes and, with {@link #segments()}, the sealed segments loaded for walks), {@link
   * Long#MAX_VALUE} (the default) for none; a suite sets it tiny to run every test with segments
   * dropped as soon as no walk holds them.
   */
  protected long indexCacheBytes() {
    return Long.MAX_VALUE;
  }

  MutableClock clock;
  EventStore store;
  DatabaseName db;

  @BeforeEach
  void createStore() {
    clock = new MutableClock(T0);
    store =
        new EventStore(
            adapter(),
            EventLimits.defaults(),
            clock,
            UUID::randomUUID,
            Duration.ofSeconds(10),
            EventStoreObserver.NONE,
            segments(),
            indexCacheBytes());
    db = TckFixtures.uniqueDatabase("store");
    store.createDatabase(db);
  }

  static Event ev(
      String id,
      String stream,
      String type,
      @Nullable String subject,
      Consumer<Event.Builder> more) {
    var b = Event.builder().id(id).source(stream).type(type).subject(subject);
    more.accept(b);
    return b.build();
  }

  static Event ev(String id, String type, String subject) {
    return ev(id, "orders", type, subject, b -> {});
  }

  TransactionResult append(Event... events) {
    clock.advance(Duration.ofMillis(1));
    return store.transact(db, Transaction.of(List.of(events)));
  }

  List<Long> revisions(EventQuery q) {
    var out = new ArrayList<Long>();
    store.stream(db, q, Long.MAX_VALUE).events().forEachRemaining(e -> out.add(e.revision()));
    return out;
  }

  List<Long> revisions(EventSelector s) {
    return revisions(EventQuery.of(s));
  }

  @Nested
  class Transactions {
    @Test
    void gives_a_batch_consecutive_revisions_and_reports_them() {
      append(ev("a", "Placed", "order-1"));
      var result = append(ev("b", "Placed", "order-2"), ev("c", "Paid", "order-2"));
      assertThat(result.firstRevision()).isEqualTo(2);
      assertThat(result.revision()).isEqualTo(3);
      assertThat(result.eventCount()).isEqualTo(2);
      assertThat(result.recordedTime()).isEqualTo(clock.instant());
      assertThat(result.duplicate()).isFalse();
      assertThat(store.database(db).revision()).isEqualTo(3);
      assertThat(store.database(db).revisionTime()).isEqualTo(result.recordedTime());
    }

    @Test
    void keeps_recorded_time_monotonic_when_the_clock_steps_back() {
      var first = append(ev("a", "Placed", "o"));
      clock.set(T0.minusSeconds(3600));
      var second = store.transact(db, Transaction.of(List.of(ev("b", "Placed", "o"))));
      assertThat(second.recordedTime()).isEqualTo(first.recordedTime());
    }

    @Test
    void a_retry_with_the_same_transaction_id_returns_the_original_and_appends_nothing() {
      UUID id = UUID.randomUUID();
      var tx = new Transaction(id, List.of(ev("a", "Placed", "o")), List.of());
      var original = store.transact(db, tx);
      var retry = store.transact(db, tx);
      assertThat(retry.duplicate()).isTrue();
      assertThat(retry).isEqualTo(original.asDuplicate());
      assertThat(store.database(db).revision()).isEqualTo(1);
    }

    @Test
    void a_guarded_retry_is_not_reported_as_a_conflict() {
      UUID id = UUID.randomUUID();
      var guard = max(subject("o"), 0);
      var tx = new Transaction(id, List.of(ev("a", "Placed", "o")), List.of(guard));
      var original = store.transact(db, tx);
      // the condition no longer holds (its own event matches), but the retry is recognised first
      var retry = store.transact(db, tx);
      assertThat(retry).isEqualTo(original.asDuplicate());
    }

    @Test
    void rejects_an_event_whose_id_and_source_are_already_stored() {
      append(ev("a", "Placed", "o"));
      assertThatThrownBy(() -> append(ev("x", "Placed", "o"), ev("a", "Other", "p")))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_EVENT_ID);
                assertThat(e.fields())
                    .containsEntry("index", 1)
                    .containsEntry("existing_revision", 1L);
              });
      assertThat(store.database(db).revision()).isEqualTo(1);
    }

    @Test
    void rejects_a_batch_holding_the_same_id_and_source_twice() {
      assertThatThrownBy(() -> append(ev("a", "Placed", "o"), ev("a", "Placed", "o")))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_EVENT_ID));
      assertThat(store.database(db).revision()).isZero();
    }

    @Test
    void accepts_the_same_id_in_another_source() {
      append(ev("a", "Placed", "o"));
      append(ev("a", "other-stream", "Placed", "o", b -> {}));
      assertThat(store.database(db).revision()).isEqualTo(2);
    }

    @Test
    void rejects_a_batch_over_the_limit_naming_it() {
      var events = new ArrayList<Event>();
      for (int i = 0; i < 26; i++) {
        events.add(ev("e" + i, "Placed", "o"));
      }
      assertThatThrownBy(() -> store.transact(db, Transaction.of(events)))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BATCH_TOO_LARGE);
                assertThat(e.fields()).containsEntry("limit", 25).containsEntry("actual", 26);
              });
      assertThat(store.database(db).revision()).isZero();
    }

    @Test
    void counts_attribute_limits_in_utf8_bytes() {
      String fits = "é".repeat(512); // 1024 bytes
      String over = "é".repeat(513); // 1026 bytes, 513 characters
      append(ev("a", "Placed", fits));
      assertThatThrownBy(() -> append(ev("b", "Placed", over)))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.ATTRIBUTE_TOO_LONG);
                assertThat(e.fields())
                    .containsEntry("limit", 1024)
                    .containsEntry("actual", 1026)
                    .containsEntry("attribute", "subject");
              });
    }

    @Test
    void rejects_an_event_over_the_size_limit() {
      String big = "\"" + "x".repeat(70_000) + "\"";
      assertThatThrownBy(() -> append(ev("a", "orders", "T", "s", b -> b.jsonData(big))))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.EVENT_TOO_LARGE);
                assertThat(e.fields()).containsEntry("limit", 65536);
              });
    }

    @Test
    void rejects_client_set_revision_and_bad_extension_names_and_tags() {
      assertThatThrownBy(() -> append(ev("a", "orders", "T", "s", b -> b.extension("revision", 3))))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.RESERVED_ATTRIBUTE);
      assertThatThrownBy(
              () -> append(ev("a", "orders", "T", "s", b -> b.extension("Bad_Name", "x"))))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.INVALID_EXTENSION_NAME);
      assertThatThrownBy(() -> append(ev("a", "orders", "T", "s", b -> b.tags("ok", ""))))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.INVALID_TAG);
      assertThatThrownBy(() -> append(ev("a", "orders", "T", "s", b -> b.tags("x".repeat(257)))))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.INVALID_TAG);
      assertThat(store.database(db).revision()).isZero();
    }

    @Test
    void unknown_database_is_not_found() {
      assertThatThrownBy(
              () ->
                  store.transact(
                      TckFixtures.uniqueDatabase("none"),
                      Transaction.of(List.of(ev("a", "T", "s")))))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.DATABASE_NOT_FOUND);
    }
  }

  @Nested
  class Conditions {
    @BeforeEach
    void seed() {
      append(ev("1", "Placed", "order-1")); // 1
      append(ev("2", "Placed", "order-2")); // 2
      append(ev("3", "Paid", "order-1")); // 3
    }

    Event next() {
      return ev(UUID.randomUUID().toString(), "Shipped", "order-9");
    }

    void holds(AppendCondition c) {
      long before = store.database(db).revision();
      store.transact(db, Transaction.of(List.of(next()), List.of(c)));
      assertThat(store.database(db).revision()).isEqualTo(before + 1);
    }

    FailedCondition fails(AppendCondition c) {
      long before = store.database(db).revision();
      try {
        store.transact(db, Transaction.of(List.of(next()), List.of(c)));
      } catch (ConditionFailedException e) {
        assertThat(store.database(db).revision()).isEqualTo(before);
        assertThat(e.failures()).hasSize(1);
        return e.failures().get(0);
      }
      throw new AssertionError("condition " + c + " should have failed");
    }

    @Test
    void max_holds_when_nothing_matching_came_after_the_revision() {
      holds(max(subject("order-1"), 3));
      holds(max(subject("order-1"), 10));
      assertThat(fails(max(subject("order-1"), 2)).actualRevision()).isEqualTo(3);
    }

    @Test
    void max_zero_means_nothing_matching_exists() {
      holds(max(subject("order-7"), 0));
      assertThat(fails(max(subject("order-2"), 0)).actualRevision()).isEqualTo(2);
    }

    @Test
    void min_requires_matching_events_up_to_at_least_the_revision() {
      holds(min(subject("order-1"), 3));
      holds(min(subject("order-1"), 1));
      assertThat(fails(min(subject("order-2"), 3)).actualRevision()).isEqualTo(2);
      assertThat(fails(min(subject("nobody"), 1)).actualRevision()).isZero();
    }

    @Test
    void range_is_inclusive_at_both_ends() {
      holds(range(subject("order-1"), 3, 3));
      holds(range(subject("order-1"), 1, 3));
      assertThat(fails(range(subject("order-1"), 4, 9)).actualRevision()).isEqualTo(3);
      assertThat(fails(range(subject("order-1"), 0, 2)).actualRevision()).isEqualTo(3);
    }

    @Test
    void every_failed_condition_is_named_with_its_actual_revision() {
      var c1 = max(eventType("Placed"), 1);
      var c2 = max(eventType("Paid"), 3);
      var c3 = min(subject("order-2"), 5);
      assertThatThrownBy(
              () -> store.transact(db, Transaction.of(List.of(next()), List.of(c1, c2, c3))))
          .isInstanceOfSatisfying(
              ConditionFailedException.class,
              e -> {
                assertThat(e.failures())
                    .containsExactly(new FailedCondition(c1, 2), new FailedCondition(c3, 2));
                assertThat(e.headRevision()).isEqualTo(3);
              });
      assertThat(store.database(db).revision()).isEqualTo(3);
    }

    @Test
    void a_condition_that_held_still_holds_after_unrelated_appends() {
      var c = max(and(stream("orders"), subject("order-1")), 3);
      var random = new Random(7);
      for (int i = 0; i < 20; i++) {
        String s = "other-" + random.nextInt(5);
        append(ev("u" + i, random.nextBoolean() ? "orders" : "billing", "Paid", s, b -> {}));
        holds(c);
      }
    }

    @Test
    void conditions_see_the_event_just_committed_by_another_transaction() {
      var read = store.database(db).revision();
      append(ev("late", "Placed", "order-1")); // revision 4 lands between read and decide
      assertThat(fails(max(subject("order-1"), read)).actualRevision()).isEqualTo(4);
    }
  }

  @Nested
  class Selectors {
    @BeforeEach
    void seed() {
      append(
          ev(
              "1",
              "orders",
              "OrderPlaced",
              "order-1",
              b -> b.tags("customer:c1", "region:eu"))); // 1
      append(ev("2", "orders", "OrderPlaced", "order-10", b -> b.tags("customer:c2"))); // 2
      append(ev("3", "billing", "InvoiceSent", "order-1", b -> {})); // 3
      append(ev("4", "orders", "Audit", null, b -> b.tags("region:eu"))); // 4
      append(ev("5", "orders", "OrderPlaced", "order_1%x", b -> {})); // 5
      append(ev("6", "orders/eu", "OrderPlaced", "order-2", b -> b.tags("customer:c1"))); // 6
    }

    @Test
    void matches_each_attribute_exactly() {
      assertThat(revisions(stream("orders"))).containsExactly(1L, 2L, 4L, 5L);
      assertThat(revisions(subject("order-1"))).containsExactly(1L, 3L);
      assertThat(revisions(eventType("OrderPlaced"))).containsExactly(1L, 2L, 5L, 6L);
      assertThat(revisions(tag("customer:c1"))).containsExactly(1L, 6L);
      assertThat(revisions(noSubject())).containsExactly(4L);
    }

    @Test
    void prefix_and_equality_are_literal() {
      assertThat(revisions(startsWith(Attribute.SUBJECT, "order-1"))).containsExactly(1L, 2L, 3L);
      assertThat(revisions(subject("order-1"))).doesNotContain(2L);
      assertThat(revisions(startsWith(Attribute.SUBJECT, "order_1%"))).containsExactly(5L);
      assertThat(revisions(startsWith(Attribute.SUBJECT, "order_"))).containsExactly(5L);
      assertThat(revisions(startsWith(Attribute.STREAM, "orders")))
          .containsExactly(1L, 2L, 4L, 5L, 6L);
      assertThat(revisions(startsWith(Attribute.TAG, "region:"))).containsExactly(1L, 4L);
    }

    @Test
    void combines_with_and_and_or() {
      assertThat(revisions(and(stream("orders"), tag("region:eu")))).containsExactly(1L, 4L);
      assertThat(revisions(or(subject("order-10"), eventType("InvoiceSent"))))
          .containsExactly(2L, 3L);
      assertThat(
              revisions(and(eventType("OrderPlaced"), or(tag("customer:c1"), tag("customer:c2")))))
          .containsExactly(1L, 2L, 6L);
    }

    @Test
    void the_index_agrees_with_the_reference_matcher_on_random_data() {
      var random = new Random(42);
      String[] streams = {"s1", "s2", "s1/x", "s10"};
      String[] types = {"A", "B", "AB"};
      String[] subjects = {"a", "a1", "a/1", "b", "b-2"};
      String[] tags = {"t1", "t2", "t:1", "t10"};
      var all = new ArrayList<Event>();
      for (int i = 0; i < 300; i++) {
        var b =
            Event.builder()
                .id("r" + i)
                .source(streams[random.nextInt(streams.length)])
                .type(types[random.nextInt(types.length)])
                .subject(random.nextInt(5) == 0 ? null : subjects[random.nextInt(subjects.length)]);
        if (random.nextBoolean()) {
          b.tags(tags[random.nextInt(tags.length)], tags[random.nextInt(tags.length)]);
        }
        all.add(b.build());
      }
      for (int i = 0; i < all.size(); i += 20) {
        clock.advance(Duration.ofMillis(1));
        store.transact(db, Transaction.of(all.subList(i, i + 20)));
      }
      var stored = new ArrayList<StoredEvent>();
      store.stream(db, EventQuery.all(), Long.MAX_VALUE).events().forEachRemaining(stored::add);
      for (int trial = 0; trial < 300; trial++) {
        EventSelector s = randomSelector(random, 3, streams, types, subjects, tags);
        List<Long> expected =
            stored.stream().filter(e -> s.matches(e.event())).map(StoredEvent::revision).toList();
        assertThat(revisions(s)).as("selector %s", s).isEqualTo(expected);
        var backward = revisions(EventQuery.of(s).withDirection(Direction.BACKWARD));
        assertThat(backward).as("backward %s", s).isEqualTo(reversed(expected));
        long highest = expected.isEmpty() ? 0 : expected.get(expected.size() - 1);
        // a condition that must fail, so the probe never lands: its failure reports L(S)
        AppendCondition mustFail = highest > 0 ? max(s, highest - 1) : min(s, 1);
        assertThatThrownBy(
                () ->
                    store.transact(
                        db,
                        Transaction.of(
                            List.of(ev("probe-" + highest, "Probe", "p")), List.of(mustFail))))
            .isInstanceOfSatisfying(
                ConditionFailedException.class,
                e ->
                    assertThat(e.failures().get(0).actualRevision())
                        .as("L(%s)", s)
                        .isEqualTo(highest));
      }
    }

    @Test
    void prefixes_over_many_keys_merge_in_order_both_ways() {
      var random = new Random(99);
      var all = new ArrayList<Event>();
      for (int i = 0; i < 400; i++) {
        int entity = random.nextInt(60);
        all.add(
            ev(
                "m" + i,
                "orders",
                random.nextBoolean() ? "A" : "B",
                "p-" + entity,
                b -> b.tags("t:" + (entity % 13), "t:" + random.nextInt(13))));
      }
      for (int i = 0; i < all.size(); i += 25) {
        store.transact(db, Transaction.of(all.subList(i, i + 25)));
      }
      var stored = new ArrayList<StoredEvent>();
      store.stream(db, EventQuery.all(), Long.MAX_VALUE).events().forEachRemaining(stored::add);
      for (EventSelector s :
          List.of(
              startsWith(Attribute.SUBJECT, "p-"),
              startsWith(Attribute.SUBJECT, "p-1"),
              startsWith(Attribute.TAG, "t:"),
              startsWith(Attribute.TAG, "t:1"),
              and(eventType("A"), startsWith(Attribute.SUBJECT, "p-")),
              or(startsWith(Attribute.SUBJECT, "p-2"), startsWith(Attribute.TAG, "t:1")))) {
        List<Long> expected =
            stored.stream().filter(e -> s.matches(e.event())).map(StoredEvent::revision).toList();
        assertThat(revisions(s)).as("%s", s).isEqualTo(expected);
        assertThat(revisions(EventQuery.of(s).withDirection(Direction.BACKWARD)))
            .as("backward %s", s)
            .isEqualTo(reversed(expected));
        // page through 7 at a time: pages join up to the whole result
        var paged = new ArrayList<Long>();
        QueryPage page = store.query(db, EventQuery.of(s).withLimit(7));
        paged.addAll(page.events().stream().map(StoredEvent::revision).toList());
        while (page.nextPageToken() != null) {
          page = store.query(db, EventQuery.of(s).withLimit(7).withPageToken(page.nextPageToken()));
          paged.addAll(page.events().stream().map(StoredEvent::revision).toList());
        }
        assertThat(paged).as("paged %s", s).isEqualTo(expected);
      }
    }

    private EventSelector randomSelector(
        Random r, int depth, String[] streams, String[] types, String[] subjects, String[] tags) {
      int kind = r.nextInt(depth > 0 ? 8 : 6);
      return switch (kind) {
        case 0 -> stream(streams[r.nextInt(streams.length)]);
        case 1 -> eventType(types[r.nextInt(types.length)]);
        case 2 -> r.nextInt(4) == 0 ? noSubject() : subject(subjects[r.nextInt(subjects.length)]);
        case 3 -> tag(tags[r.nextInt(tags.length)]);
        case 4 -> {
          Attribute[] attributes = Attribute.values();
          Attribute a = attributes[r.nextInt(attributes.length)];
          String[] pool =
              a == Attribute.STREAM
                  ? streams
                  : a == Attribute.EVENT_TYPE ? types : a == Attribute.SUBJECT ? subjects : tags;
          String v = pool[r.nextInt(pool.length)];
          yield startsWith(a, v.substring(0, r.nextInt(v.length() + 1)));
        }
        case 5 -> EventSelector.any();
        case 6 ->
            and(
                randomSelector(r, depth - 1, streams, types, subjects, tags),
                randomSelector(r, depth - 1, streams, types, subjects, tags));
        default ->
            or(
                randomSelector(r, depth - 1, streams, types, subjects, tags),
                randomSelector(r, depth - 1, streams, types, subjects, tags));
      };
    }
  }

  static List<Long> reversed(List<Long> in) {
    var out = new ArrayList<>(in);
    java.util.Collections.reverse(out);
    return out;
  }

  @Nested
  class DynamicConsistencyBoundaries {
    // The DCB specification's course-subscription example: a course has a capacity, a student may
    // subscribe to a course once; the decision reads exactly the events that matter to it.
    Event courseDefined(String course, int capacity) {
      return ev(
          "def-" + course,
          "courses",
          "CourseDefined",
          "course/" + course,
          b -> b.tags("course:" + course).jsonData("{\"capacity\":" + capacity + "}"));
    }

    Event subscribed(String course, String student) {
      return ev(
          "sub-" + course + "-" + student,
          "courses",
          "StudentSubscribedToCourse",
          "course/" + course,
          b -> b.tags("course:" + course, "student:" + student));
    }

    EventSelector decisionQuery(String course, String student) {
      return Dcb.query(
          List.of(
              Dcb.queryItem(
                  List.of("CourseDefined", "StudentSubscribedToCourse"),
                  List.of("course:" + course)),
              Dcb.queryItem(List.of("StudentSubscribedToCourse"), List.of("student:" + student))));
    }

    @Test
    void a_query_item_is_types_ored_and_tags_anded_and_items_are_ored() {
      append(courseDefined("c1", 2)); // 1
      append(courseDefined("c2", 2)); // 2
      append(subscribed("c1", "s1")); // 3
      append(subscribed("c2", "s1")); // 4
      append(subscribed("c2", "s2")); // 5
      assertThat(
              revisions(
                  Dcb.queryItem(
                      List.of("StudentSubscribedToCourse"), List.of("course:c2", "student:s2"))))
          .containsExactly(5L);
      assertThat(
              revisions(
                  Dcb.queryItem(
                      List.of("CourseDefined", "StudentSubscribedToCourse"), List.of("course:c1"))))
          .containsExactly(1L, 3L);
      assertThat(revisions(Dcb.queryItem(List.of(), List.of("student:s1"))))
          .containsExactly(3L, 4L);
      assertThat(revisions(Dcb.queryItem(List.of("CourseDefined"), List.of())))
          .containsExactly(1L, 2L);
      assertThat(revisions(decisionQuery("c1", "s2"))).containsExactly(1L, 3L, 5L);
      assertThat(revisions(Dcb.query(List.of()))).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void fail_if_events_match_after_the_read_position_is_max() {
      append(courseDefined("c1", 1)); // 1
      var query = decisionQuery("c1", "s1");
      long readPosition = store.query(db, EventQuery.of(query)).revision();

      // a concurrent decision for another student and course c1 lands first
      append(subscribed("c1", "s2")); // 2

      var ours = Dcb.failIfEventsMatch(query, readPosition);
      assertThat(ours).isEqualTo(max(query, 1));
      assertThatThrownBy(
              () ->
                  store.transact(
                      db, Transaction.of(List.of(subscribed("c1", "s1")), List.of(ours))))
          .isInstanceOfSatisfying(
              ConditionFailedException.class,
              e -> assertThat(e.failures().get(0).actualRevision()).isEqualTo(2));

      // an unrelated course's event does not conflict
      long position = store.database(db).revision();
      append(courseDefined("c9", 5));
      store.transact(
          db,
          Transaction.of(
              List.of(subscribed("c1", "s1")), List.of(Dcb.failIfEventsMatch(query, position))));
      assertThat(store.database(db).revision()).isEqualTo(4);
    }

    @Test
    void without_after_the_condition_fails_if_any_matching_event_exists() {
      var unique = Dcb.failIfEventsMatch(Dcb.queryItem(List.of(), List.of("username:alice")), null);
      assertThat(unique).isEqualTo(max(tag("username:alice"), 0));
      store.transact(
          db,
          Transaction.of(
              List.of(ev("u1", "users", "UserRegistered", "user/1", b -> b.tags("username:alice"))),
              List.of(unique)));
      assertThatThrownBy(
              () ->
                  store.transact(
                      db,
                      Transaction.of(
                          List.of(
                              ev(
                                  "u2",
                                  "users",
                                  "UserRegistered",
                                  "user/2",
                                  b -> b.tags("username:alice"))),
                          List.of(unique))))
          .isInstanceOf(ConditionFailedException.class);
    }
  }

  @Nested
  class Queries {
    Instant t1;
    Instant t2;
    Instant t3;

    @BeforeEach
    void seed() {
      t1 =
          append(ev("1", "orders", "Placed", "o1", b -> b.time("2024-01-10T00:00:00Z")))
              .recordedTime();
      t2 =
          append(ev("2", "orders", "Placed", "o2", b -> b.time("2024-01-05T09:00:00.5+02:00")))
              .recordedTime();
      t3 =
          append(
                  ev("3", "orders", "Paid", "o1", b -> b.time("2024-01-20T00:00:00Z")),
                  ev("4", "orders", "Paid", "o2", b -> {}))
              .recordedTime(); // 4 has no time: effective = recorded (2026)
    }

    @Test
    void reads_at_an_earlier_revision_without_later_events() {
      var page = store.query(db, EventQuery.all().withRevision(2L));
      assertThat(page.revision()).isEqualTo(2);
      assertThat(page.events()).extracting(StoredEvent::revision).containsExactly(1L, 2L);
    }

    @Test
    void as_of_transaction_time_includes_the_commit_at_exactly_that_time() {
      var atT2 = store.query(db, EventQuery.all().withAsOfTransactionTime(t2));
      assertThat(atT2.revision()).isEqualTo(2);
      var justBefore = store.query(db, EventQuery.all().withAsOfTransactionTime(t2.minusNanos(1)));
      assertThat(justBefore.revision()).isEqualTo(1);
      var beforeAll = store.query(db, EventQuery.all().withAsOfTransactionTime(t1.minusSeconds(1)));
      assertThat(beforeAll.revision()).isZero();
      assertThat(beforeAll.events()).isEmpty();
      assertThat(store.query(db, EventQuery.all().withAsOfTransactionTime(t3)).revision())
          .isEqualTo(4);
    }

    @Test
    void as_of_effective_time_compares_instants_whatever_the_offset() {
      // 2024-01-05T09:00:00.5+02:00 is 07:00:00.5Z
      var q = EventQuery.all().withAsOfEffectiveTime(Instant.parse("2024-01-05T07:00:00.5Z"));
      assertThat(revisions(q)).containsExactly(2L);
      var q2 = EventQuery.all().withAsOfEffectiveTime(Instant.parse("2024-01-15T00:00:00Z"));
      assertThat(revisions(q2)).containsExactly(1L, 2L);
    }

    @Test
    void refuses_times_beyond_the_indexed_range_and_clamps_far_bounds() {
      assertThatThrownBy(
              () ->
                  append(ev("late", "orders", "Placed", "o9", b -> b.time("2300-01-01T00:00:00Z"))))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
                assertThat(e.fields()).containsEntry("attribute", "time");
                assertThat(e.getMessage()).contains("2262-04-11T23:47:16.854775807Z");
              });
      assertThat(store.query(db, EventQuery.all()).revision()).isEqualTo(4);
      var far = Instant.parse("9999-12-31T23:59:59Z");
      assertThat(revisions(EventQuery.all().withAsOfEffectiveTime(far)))
          .containsExactly(1L, 2L, 3L, 4L);
      assertThat(
              revisions(
                  EventQuery.all().withAsOfEffectiveTime(Instant.parse("0001-01-01T00:00:00Z"))))
          .isEmpty();
      assertThat(store.query(db, EventQuery.all().withAsOfTransactionTime(far)).revision())
          .isEqualTo(4);
    }

    @Test
    void orders_by_effective_time_with_backdated_events_first() {
      var q = EventQuery.all().withOrder(Order.EFFECTIVE_TIME);
      assertThat(revisions(q)).containsExactly(2L, 1L, 3L, 4L);
      assertThat(revisions(q.withDirection(Direction.BACKWARD))).containsExactly(4L, 3L, 1L, 2L);
    }

    @Test
    void keeps_time_text_as_sent() {
      var e = store.event(db, 2);
      assertThat(Objects.requireNonNull(e.event().time(), "time").text())
          .isEqualTo("2024-01-05T09:00:00.5+02:00");
      assertThat(e.recordedTime()).isEqualTo(t2);
    }

    @Test
    void bounds_by_revision_range_in_both_directions() {
      assertThat(revisions(EventQuery.all().withRange(2, 3L))).containsExactly(2L, 3L);
      assertThat(revisions(EventQuery.all().withRange(2, 3L).withDirection(Direction.BACKWARD)))
          .containsExactly(3L, 2L);
    }

    @Test
    void pages_pin_the_snapshot_of_the_first_page() {
      var first = store.query(db, EventQuery.all().withLimit(2));
      assertThat(first.events()).extracting(StoredEvent::revision).containsExactly(1L, 2L);
      assertThat(first.nextPageToken()).isNotNull();
      append(ev("5", "Placed", "o5"));
      var second =
          store.query(db, EventQuery.all().withLimit(2).withPageToken(first.nextPageToken()));
      assertThat(second.revision()).isEqualTo(4);
      assertThat(second.events()).extracting(StoredEvent::revision).containsExactly(3L, 4L);
      assertThat(second.nextPageToken()).isNull();
    }

    @Test
    void pages_as_of_a_transaction_time_keep_that_snapshot() {
      var q = EventQuery.all().withAsOfTransactionTime(t2).withLimit(1);
      var first = store.query(db, q);
      assertThat(first.revision()).isEqualTo(2);
      assertThat(first.events()).extracting(StoredEvent::revision).containsExactly(1L);
      assertThat(first.nextPageToken()).isNotNull();
      var second = store.query(db, q.withPageToken(first.nextPageToken()));
      assertThat(second.revision()).isEqualTo(2);
      assertThat(second.events()).extracting(StoredEvent::revision).containsExactly(2L);
      assertThat(second.nextPageToken()).isNull();
    }

    @Test
    void pages_backward_and_by_effective_time() {
      var collected = new ArrayList<Long>();
      var q =
          EventQuery.all()
              .withOrder(Order.EFFECTIVE_TIME)
              .withDirection(Direction.BACKWARD)
              .withLimit(1);
      QueryPage page = store.query(db, q);
      collected.addAll(page.events().stream().map(StoredEvent::revision).toList());
      while (page.nextPageToken() != null) {
        page = store.query(db, q.withPageToken(page.nextPageToken()));
        collected.addAll(page.events().stream().map(StoredEvent::revision).toList());
      }
      assertThat(collected).containsExactly(4L, 3L, 1L, 2L);
    }

    @Test
    void rejects_a_page_token_of_another_query_or_garbage() {
      var first = store.query(db, EventQuery.all().withLimit(1));
      String token = Objects.requireNonNull(first.nextPageToken(), "a next page");
      assertThatThrownBy(
              () -> store.query(db, EventQuery.of(subject("o1")).withLimit(1).withPageToken(token)))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.INVALID_PAGE_TOKEN);
      assertThatThrownBy(() -> store.query(db, EventQuery.all().withPageToken("not-a-token!")))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.INVALID_PAGE_TOKEN);
    }

    @Test
    void rejects_a_revision_beyond_the_head_and_a_missing_event() {
      assertThatThrownBy(() -> store.query(db, EventQuery.all().withRevision(99L)))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.INVALID_QUERY);
      assertThatThrownBy(() -> store.event(db, 5))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.REVISION_NOT_FOUND);
    }

    @Test
    void streams_more_than_a_fetch_chunk_in_order() {
      for (int i = 0; i < 30; i++) {
        var batch = new ArrayList<Event>();
        for (int k = 0; k < 25; k++) {
          batch.add(ev("bulk-" + i + "-" + k, "Bulk", "b"));
        }
        store.transact(db, Transaction.of(batch));
      }
      var revs = revisions(EventQuery.of(eventType("Bulk")));
      assertThat(revs).hasSize(750);
      assertThat(revs.get(0)).isEqualTo(5L);
      assertThat(revs.get(749)).isEqualTo(754L);
      assertThat(revs).isSorted();
    }
  }

  /**
   * The restore of an export ({@link EventStore#restore}): transactions appended with the revisions
   * and recorded times they had, through the adapter's compare-and-set append.
   */
  @Nested
  class Restore {
    // before the database was created (T0, 2026), with nanoseconds: the adapter keeps them exactly
    final Instant r1 = Instant.parse("2019-05-06T07:08:09.123456789Z");
    final Instant r2 = Instant.parse("2019-05-06T07:08:10.000000001Z");
    final Instant r3 = Instant.parse("2021-11-30T23:59:59.999999999Z");

    TransactionResult restore(long first, Instant recorded, Event... events) {
      return store.restore(
          db, new RecordedTransaction(first, recorded, List.of(events), TransactionOrigin.UNKNOWN));
    }

    @Test
    void keeps_revisions_recorded_times_and_transactions_exactly() {
      var a = restore(1, r1, ev("a", "Placed", "o1"), ev("b", "Placed", "o2"));
      var b = restore(3, r2, ev("c", "Paid", "o1"));
      var c = restore(4, r2, ev("d", "Shipped", "o1")); // another transaction at the same time
      var d =
          restore(5, r3, ev("e", "Paid", "o2"), ev("f", "Shipped", "o2"), ev("g", "Closed", "o2"));

      assertThat(List.of(a, b, c, d))
          .extracting(TransactionResult::firstRevision, TransactionResult::revision)
          .containsExactly(tuple(1L, 2L), tuple(3L, 3L), tuple(4L, 4L), tuple(5L, 7L));
      assertThat(d.recordedTime()).isEqualTo(r3);
      assertThat(store.database(db).revision()).isEqualTo(7);
      assertThat(store.database(db).revisionTime()).isEqualTo(r3);
      var stored = new ArrayList<StoredEvent>();
      store.stream(db, EventQuery.all(), Long.MAX_VALUE).events().forEachRemaining(stored::add);
      assertThat(stored)
          .extracting(StoredEvent::revision, e -> e.event().id(), StoredEvent::recordedTime)
          .containsExactly(
              tuple(1L, "a", r1),
              tuple(2L, "b", r1),
              tuple(3L, "c", r2),
              tuple(4L, "d", r2),
              tuple(5L, "e", r3),
              tuple(6L, "f", r3),
              tuple(7L, "g", r3));
      // the audit record keeps the restored position and time under a server-chosen id
      var audit = store.transaction(db, d.transactionId()).result();
      assertThat(audit).isEqualTo(d);
    }

    @Test
    void answers_as_of_transaction_time_as_the_source_did() {
      restore(1, r1, ev("a", "Placed", "o1"), ev("b", "Placed", "o2"));
      restore(3, r2, ev("c", "Paid", "o1"));
      restore(4, r3, ev("d", "Paid", "o2"));
      assertThat(asOf(r1.minusNanos(1))).isZero();
      assertThat(asOf(r1)).isEqualTo(2);
      assertThat(asOf(r2.minusNanos(1))).isEqualTo(2);
      assertThat(asOf(r2)).isEqualTo(3);
      assertThat(asOf(r3.minusNanos(1))).isEqualTo(3);
      assertThat(asOf(r3)).isEqualTo(4);
      // conditions and ordinary appends go on from the restored head
      clock.set(T0.plusSeconds(60));
      var next =
          store.transact(
              db, Transaction.of(List.of(ev("e", "Placed", "o3")), List.of(max(subject("o3"), 0))));
      assertThat(next.firstRevision()).isEqualTo(5);
      assertThat(next.recordedTime()).isEqualTo(T0.plusSeconds(60));
      assertThat(asOf(r3.plusSeconds(1))).isEqualTo(4);
    }

    long asOf(Instant time) {
      return store.query(db, EventQuery.all().withAsOfTransactionTime(time)).revision();
    }

    @Test
    void refuses_a_database_that_holds_events_and_stores_nothing() {
      append(ev("x", "Placed", "o1"));
      assertThatThrownBy(() -> restore(1, r1, ev("a", "Placed", "o1")))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_EMPTY);
                assertThat(e.fields()).containsEntry("revision", 1L);
              });
      assertThat(store.database(db).revision()).isEqualTo(1);
    }

    @Test
    void refuses_a_gap_in_revisions_and_a_step_back_in_recorded_time() {
      restore(1, r2, ev("a", "Placed", "o1"));
      assertThatThrownBy(() -> restore(3, r3, ev("b", "Placed", "o1")))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_OUT_OF_ORDER);
                assertThat(e.fields())
                    .containsEntry("attribute", "revision")
                    .containsEntry("first_revision", 3L)
                    .containsEntry("revision", 1L);
              });
      assertThatThrownBy(() -> restore(2, r1, ev("b", "Placed", "o1")))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_OUT_OF_ORDER);
                assertThat(e.fields())
                    .containsEntry("attribute", "recordedtime")
                    .containsEntry("head_recorded_time", r2.toString());
              });
      assertThat(store.database(db).revision()).isEqualTo(1);
    }

    @Test
    void rejects_an_event_id_already_restored_like_any_append() {
      restore(1, r1, ev("a", "Placed", "o1"));
      assertThatThrownBy(() -> restore(2, r2, ev("a", "Placed", "o1")))
          .extracting(e -> ((EvidentSourceException) e).code())
          .isEqualTo(ErrorCode.DUPLICATE_EVENT_ID);
      assertThat(store.database(db).revision()).isEqualTo(1);
    }
  }
}
