package io.evidentsource.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EventQueryTest {
  static final Instant T = Instant.parse("2025-03-01T10:00:00.123456789Z");

  static String token(long snapshotRevision, @Nullable Instant asOfTransactionTime) {
    return new PageToken(7, snapshotRevision, asOfTransactionTime, 42, 3, 99).encode();
  }

  static void rejects(ThrowingCallable call, ErrorCode code, @Nullable String parameter) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              if (parameter != null) {
                assertThat(e.fields()).containsEntry("parameter", parameter);
              }
            });
  }

  @Nested
  class snapshot {
    @Test
    void is_the_head_when_a_request_names_none() {
      assertThat(Snapshot.of(null, null)).isEqualTo(Snapshot.head());
      assertThat(Snapshot.of(5L, null)).isEqualTo(Snapshot.atRevision(5));
      assertThat(Snapshot.of(null, T)).isEqualTo(Snapshot.asOfTransactionTime(T));
    }

    @Test
    void rejects_both_a_revision_and_a_transaction_time_naming_revision() {
      rejects(() -> Snapshot.of(5L, T), ErrorCode.INVALID_QUERY, "revision");
      assertThatThrownBy(() -> Snapshot.of(5L, T))
          .hasMessage("give either 'revision' or 'as_of_transaction_time', not both");
    }

    @Test
    void rejects_a_negative_revision() {
      rejects(() -> Snapshot.atRevision(-1), ErrorCode.INVALID_QUERY, "revision");
    }
  }

  @Nested
  class range_and_limit {
    @Test
    void name_the_parameter_out_of_bounds() {
      rejects(() -> new RevisionRange(0, null), ErrorCode.INVALID_QUERY, "from_revision");
      rejects(() -> new RevisionRange(1, -1L), ErrorCode.INVALID_QUERY, "to_revision");
      rejects(() -> EventQuery.all().withLimit(0), ErrorCode.INVALID_QUERY, "limit");
      rejects(() -> EventQuery.limitOrDefault(1001L), ErrorCode.INVALID_QUERY, "limit");
      assertThat(EventQuery.limitOrDefault(null)).isEqualTo(EventQuery.DEFAULT_LIMIT);
    }
  }

  @Nested
  class page_token {
    @Test
    void round_trips_through_its_text() {
      String text = token(12, T);
      assertThat(PageToken.decode(text).encode()).isEqualTo(text);
      assertThat(PageToken.decode(text).asOfTransactionTime).isEqualTo(T);
      assertThat(PageToken.decode(token(12, null)).asOfTransactionTime).isNull();
    }

    @Test
    void garbage_or_a_truncated_token_is_invalid() {
      String text = token(12, T);
      rejects(() -> PageToken.decode("not-a-token!"), ErrorCode.INVALID_PAGE_TOKEN, null);
      rejects(
          () -> PageToken.decode(text.substring(0, text.length() - 4)),
          ErrorCode.INVALID_PAGE_TOKEN,
          null);
      rejects(() -> PageToken.decode(text + "AAAA"), ErrorCode.INVALID_PAGE_TOKEN, null);
      rejects(() -> PageToken.decode(""), ErrorCode.INVALID_PAGE_TOKEN, null);
    }

    @Test
    void an_edited_token_fails_its_checksum() {
      byte[] bytes = java.util.Base64.getUrlDecoder().decode(token(12, T));
      for (int i = 0; i < bytes.length; i++) {
        byte[] edited = bytes.clone();
        edited[i] ^= (byte) 0x80;
        String text = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(edited);
        rejects(() -> PageToken.decode(text), ErrorCode.INVALID_PAGE_TOKEN, null);
      }
    }

    @Test
    void a_token_with_values_no_query_produces_is_invalid_even_with_a_valid_checksum() {
      // the checksum is not secret: these are what a forger who computed it could send
      for (var forged :
          java.util.List.of(
              new PageToken(7, -1, null, 42, 3, 99),
              new PageToken(7, 0, null, 42, 0, 99),
              new PageToken(7, 12, null, 42, 13, 99),
              new PageToken(7, 12, null, 42, 0, 99),
              new PageToken(0, 12, null, 42, 3, 99))) {
        rejects(() -> PageToken.decode(forged.encode()), ErrorCode.INVALID_PAGE_TOKEN, null);
      }
    }
  }

  @Nested
  class a_later_page {
    @Test
    void keeps_the_snapshot_its_token_pinned_when_the_request_repeats_it() {
      String pinnedAt12 = token(12, null);
      assertThat(Page.of(Snapshot.head(), pinnedAt12)).isInstanceOf(Page.Next.class);
      assertThat(Page.of(Snapshot.atRevision(12), pinnedAt12)).isInstanceOf(Page.Next.class);
      String asOfT = token(12, T);
      assertThat(Page.of(Snapshot.asOfTransactionTime(T), asOfT)).isInstanceOf(Page.Next.class);
      assertThat(Page.of(Snapshot.atRevision(12), asOfT)).isInstanceOf(Page.Next.class);
    }

    @Test
    void refuses_a_token_with_another_snapshot() {
      rejects(
          () -> Page.of(Snapshot.atRevision(11), token(12, null)),
          ErrorCode.INVALID_PAGE_TOKEN,
          null);
      rejects(
          () -> Page.of(Snapshot.asOfTransactionTime(T), token(12, null)),
          ErrorCode.INVALID_PAGE_TOKEN,
          null);
      rejects(
          () -> Page.of(Snapshot.asOfTransactionTime(T.plusNanos(1)), token(12, T)),
          ErrorCode.INVALID_PAGE_TOKEN,
          null);
    }

    @Test
    void cannot_carry_a_snapshot_of_its_own() {
      String text = token(12, null);
      var later = EventQuery.all().withRevision(3).withPageToken(text);
      assertThat(later.page()).isEqualTo(Page.after(text));
      var first = later.withRevision(3);
      assertThat(first.page()).isEqualTo(Page.first(Snapshot.atRevision(3)));
    }
  }

  @Test
  void the_first_page_is_read_at_the_head_by_default() {
    var q = EventQuery.all();
    assertThat(q.page()).isEqualTo(Page.first(Snapshot.head()));
    assertThat(q.range()).isEqualTo(RevisionRange.all());
    assertThat(q.order()).isEqualTo(Order.REVISION);
    assertThat(q.direction()).isEqualTo(Direction.FORWARD);
    assertThat(q.limit()).isEqualTo(EventQuery.DEFAULT_LIMIT);
  }
}
