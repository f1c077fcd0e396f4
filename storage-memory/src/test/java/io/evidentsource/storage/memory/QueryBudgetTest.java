package io.evidentsource.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;
import io.evidentsource.core.query.QueryBudget;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.selector.SelectorText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A query's work is bounded and follows what it asks for, not how it is written (issue 18): an
 * {@code or} of thousands of repeated prefixes with {@code order=effective_time} costs what one
 * prefix costs, and a budget ends a query that needs more work or time, or whose client went away.
 * Costs are asserted in index entries charged to the budget, never in time.
 */
class QueryBudgetTest {
  static final int EVENTS = 3000;
  static final DatabaseName DB = DatabaseName.of("budget");
  final EventStore store = EventStore.create(InMemoryStorage.create().log());

  @BeforeEach
  void seed() {
    store.createDatabase(DB);
    var t0 = Instant.parse("2026-01-01T00:00:00Z");
    var batch = new ArrayList<Event>();
    for (int i = 0; i < EVENTS; i++) {
      // distinct subjects, effective times out of revision order
      batch.add(
          Event.builder()
              .id("e" + i)
              .source("orders")
              .type(i % 2 == 0 ? "A" : "B")
              .subject("order-" + i)
              .time(t0.plusSeconds((i * 7919L) % EVENTS).toString())
              .build());
      if (batch.size() == 25) {
        store.transact(DB, Transaction.of(batch));
        batch.clear();
      }
    }
  }

  static QueryBudget unlimitedButCounting() {
    return new QueryBudget(
        new QueryBudget.Limits(Long.MAX_VALUE, Duration.ofDays(1)), System::nanoTime, () -> false);
  }

  static EventSelector repeatedPrefixes(int n) {
    var terms = new ArrayList<EventSelector>();
    for (int i = 0; i < n; i++) {
      terms.add(EventSelector.startsWith(Attribute.SUBJECT, "order-"));
    }
    return new EventSelector.Or(terms);
  }

  List<Long> revisions(StoredEvent... events) {
    return List.of(events).stream().map(StoredEvent::revision).toList();
  }

  @Nested
  class Cost_follows_the_distinct_work {
    @Test
    void an_or_of_5000_repeated_prefixes_by_effective_time_costs_what_one_prefix_costs() {
      var one = unlimitedButCounting();
      var single =
          store.query(
              DB,
              EventQuery.of(EventSelector.startsWith(Attribute.SUBJECT, "order-"))
                  .withOrder(Order.EFFECTIVE_TIME),
              one);
      var many = unlimitedButCounting();
      var repeated =
          store.query(
              DB, EventQuery.of(repeatedPrefixes(5000)).withOrder(Order.EFFECTIVE_TIME), many);

      assertThat(repeated.events()).isEqualTo(single.events());
      assertThat(many.scanned()).isEqualTo(one.scanned());
      // one postings list per subject, one visit per event, one step per merge: linear in events
      assertThat(one.scanned()).isLessThan(10L * EVENTS);
    }

    @Test
    void a_prefix_absorbs_longer_prefixes_and_values_it_covers() {
      var selector =
          SelectorText.parse(
              "subject LIKE 'order-1%' OR subject LIKE 'order-%' OR subject = 'order-7'"
                  + " OR (subject LIKE 'order-%' OR subject = 'order-12')");
      var budget = unlimitedButCounting();
      var page = store.query(DB, EventQuery.of(selector).withLimit(1000), budget);
      var plain = unlimitedButCounting();
      var expected =
          store.query(
              DB,
              EventQuery.of(EventSelector.startsWith(Attribute.SUBJECT, "order-")).withLimit(1000),
              plain);
      assertThat(page.events()).isEqualTo(expected.events());
      assertThat(budget.scanned()).isEqualTo(plain.scanned());
    }

    @Test
    void repeated_and_terms_are_intersected_once() {
      var and = new ArrayList<EventSelector>();
      for (int i = 0; i < 1000; i++) {
        and.add(EventSelector.eventType("A"));
        and.add(EventSelector.any());
      }
      var budget = unlimitedButCounting();
      var page = store.query(DB, EventQuery.of(new EventSelector.And(and)).withLimit(10), budget);
      var plain = unlimitedButCounting();
      var expected =
          store.query(DB, EventQuery.of(EventSelector.eventType("A")).withLimit(10), plain);
      assertThat(page.events()).isEqualTo(expected.events());
      assertThat(budget.scanned()).isEqualTo(plain.scanned());
    }

    @Test
    void effective_time_order_pages_join_up_to_the_whole_order_both_ways() {
      for (var direction : Direction.values()) {
        var query =
            EventQuery.of(repeatedPrefixes(50))
                .withOrder(Order.EFFECTIVE_TIME)
                .withDirection(direction);
        var all = new ArrayList<StoredEvent>();
        store.stream(DB, query, Long.MAX_VALUE).events().forEachRemaining(all::add);
        assertThat(all).hasSize(EVENTS);
        var times = all.stream().map(e -> e.effectiveTime()).toList();
        var sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        if (direction == Direction.BACKWARD) {
          Collections.reverse(sorted);
        }
        assertThat(times).isEqualTo(sorted);
        var paged = new ArrayList<StoredEvent>();
        var page = store.query(DB, query.withLimit(700));
        paged.addAll(page.events());
        while (page.nextPageToken() != null) {
          page = store.query(DB, query.withLimit(700).withPageToken(page.nextPageToken()));
          paged.addAll(page.events());
        }
        assertThat(paged).isEqualTo(all);
      }
    }
  }

  @Nested
  class A_budget_ends_the_query {
    @Test
    void that_needs_more_entries_than_allowed_with_query_too_expensive_naming_the_limit() {
      var budget =
          new QueryBudget(
              new QueryBudget.Limits(1000, Duration.ofMinutes(1)), System::nanoTime, () -> false);
      assertThatThrownBy(
              () ->
                  store.query(
                      DB,
                      EventQuery.of(EventSelector.startsWith(Attribute.SUBJECT, "order-"))
                          .withOrder(Order.EFFECTIVE_TIME),
                      budget))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.QUERY_TOO_EXPENSIVE);
                assertThat(e.fields()).containsEntry("limit", 1000L);
                assertThat(e.getMessage()).contains("1000 index entries");
              });
    }

    @Test
    void whose_time_is_up_with_query_timeout() {
      var now = new AtomicLong();
      var budget =
          new QueryBudget(
              new QueryBudget.Limits(Long.MAX_VALUE, Duration.ofSeconds(3)),
              () -> now.addAndGet(Duration.ofSeconds(4).toNanos()),
              () -> false);
      // every clock reading moves 4 s: the first check after the start finds the 3 s passed
      assertThatThrownBy(
              () ->
                  store.query(
                      DB,
                      EventQuery.of(repeatedPrefixes(3)).withOrder(Order.EFFECTIVE_TIME),
                      budget))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.QUERY_TIMEOUT);
                assertThat(e.fields()).containsEntry("limit_ms", 3_000L);
              });
    }

    @Test
    void whose_client_went_away_with_query_cancelled() {
      var gone = new AtomicBoolean();
      var budget =
          new QueryBudget(
              new QueryBudget.Limits(Long.MAX_VALUE, Duration.ofDays(1)),
              System::nanoTime,
              gone::get);
      var events =
          store.stream(
                  DB,
                  EventQuery.all(),
                  Long.MAX_VALUE,
                  io.evidentsource.core.observe.QueryKind.QUERY,
                  budget)
              .events();
      assertThat(events.next().revision()).isEqualTo(1);
      gone.set(true);
      assertThatThrownBy(
              () -> {
                while (events.hasNext()) {
                  events.next();
                }
              })
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.QUERY_CANCELLED));
    }

    @Test
    void but_a_stream_renews_it_for_each_chunk_so_exports_of_any_length_go_on() {
      var budget =
          new QueryBudget(
              new QueryBudget.Limits(1000, Duration.ofMinutes(1)), System::nanoTime, () -> false);
      var count = new AtomicLong();
      store.stream(
              DB,
              EventQuery.all(),
              Long.MAX_VALUE,
              io.evidentsource.core.observe.QueryKind.QUERY,
              budget)
          .events()
          .forEachRemaining(e -> count.incrementAndGet());
      assertThat(count).hasValue(EVENTS);
    }
  }
}
