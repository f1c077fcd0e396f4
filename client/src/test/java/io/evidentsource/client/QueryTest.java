package io.evidentsource.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class QueryTest {
  static final Instant T = Instant.parse("2025-03-01T10:00:00Z");

  @Test
  void starts_at_the_head_oldest_first_by_revision() {
    var q = Query.all();
    assertThat(q.snapshot()).isEqualTo(new Query.Snapshot.Head());
    assertThat(q.order()).isEqualTo(Query.Order.REVISION);
    assertThat(q.direction()).isEqualTo(Query.Direction.FORWARD);
    assertThat(q.pageSize()).isEqualTo(100);
  }

  @Test
  void names_one_snapshot_at_most_the_last_one_given() {
    var q = Query.all().atRevision(5).asOfTransactionTime(T);
    assertThat(q.snapshot()).isEqualTo(new Query.Snapshot.AsOfTransactionTime(T));
    assertThat(q.atRevision(7).snapshot()).isEqualTo(new Query.Snapshot.AtRevision(7));
    assertThat(q.atHead().snapshot()).isEqualTo(new Query.Snapshot.Head());
  }

  @Test
  void builds_every_part_fluently() {
    var q =
        Query.of(Selector.stream("orders"))
            .range(3, 9L)
            .byEffectiveTime()
            .newestFirst()
            .asOfEffectiveTime(T)
            .pageSize(7);
    assertThat(q)
        .isEqualTo(
            new Query(
                Selector.stream("orders"),
                new Query.Snapshot.Head(),
                3,
                9L,
                Query.Order.EFFECTIVE_TIME,
                Query.Direction.BACKWARD,
                T,
                7));
    assertThat(q.byRevision().oldestFirst().order()).isEqualTo(Query.Order.REVISION);
  }

  @Test
  void refuses_parts_out_of_bounds_at_once() {
    assertThatThrownBy(() -> Query.all().pageSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Query.all().pageSize(1001))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Query.all().range(0, null))
        .hasMessage("fromRevision must be >= 1, was 0");
    assertThatThrownBy(() -> Query.all().atRevision(-1))
        .hasMessage("revision must be >= 0, was -1");
  }
}
