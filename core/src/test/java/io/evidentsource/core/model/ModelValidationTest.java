package io.evidentsource.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ModelValidationTest {

  static ErrorCode code(Runnable r) {
    try {
      r.run();
    } catch (EvidentSourceException e) {
      return e.code();
    }
    throw new AssertionError("expected an EvidentSourceException");
  }

  @Nested
  class DatabaseNames {
    @Test
    void accepts_dns_labels() {
      for (String ok : List.of("a", "orders", "orders-2024", "a".repeat(63), "x1")) {
        assertThat(DatabaseName.of(ok).value()).isEqualTo(ok);
      }
    }

    @Test
    void rejects_everything_else_naming_the_rule() {
      for (String bad :
          List.of("", "1abc", "-a", "a-", "Orders", "a_b", "a.b", "a".repeat(64), "é")) {
        assertThatThrownBy(() -> DatabaseName.of(bad))
            .isInstanceOfSatisfying(
                EvidentSourceException.class,
                e -> {
                  assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DATABASE_NAME);
                  assertThat(e.getMessage()).contains("1-63");
                });
      }
    }
  }

  @Nested
  class Tagging {
    @Test
    void trims_and_deduplicates() {
      assertThat(Tags.validate("course:c1, student:s7,course:c1"))
          .containsExactly("course:c1", "student:s7");
      assertThat(Event.builder().id("i").source("s").type("t").tags("a", " b ").build().tags())
          .containsExactly("a", "b");
    }

    @Test
    void enforces_count_size_and_characters() {
      assertThat(code(() -> Tags.validate("a,,b"))).isEqualTo(ErrorCode.INVALID_TAG);
      assertThat(code(() -> Tags.validate("a\u0001b"))).isEqualTo(ErrorCode.INVALID_TAG);
      assertThat(code(() -> Tags.validate("é".repeat(129)))).isEqualTo(ErrorCode.INVALID_TAG);
      Tags.validate("é".repeat(128));
      var many = new StringBuilder();
      for (int i = 0; i < 33; i++) {
        many.append(i == 0 ? "" : ",").append("t").append(i);
      }
      assertThat(code(() -> Tags.validate(many.toString()))).isEqualTo(ErrorCode.INVALID_TAG);
    }
  }

  @Nested
  class Times {
    @Test
    void keeps_the_text_and_compares_instants() {
      var a = EventTime.parse("2021-08-19T12:16:32.000-04:00");
      assertThat(a.text()).isEqualTo("2021-08-19T12:16:32.000-04:00");
      assertThat(a.instant()).isEqualTo(Instant.parse("2021-08-19T16:16:32Z"));
      assertThat(EventTime.parse("2021-08-19t16:16:32.123456789z").instant())
          .isEqualTo(Instant.parse("2021-08-19T16:16:32.123456789Z"));
    }

    @Test
    void rejects_non_rfc3339() {
      assertThat(code(() -> EventTime.parse("2021-08-19 12:00")))
          .isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(code(() -> EventTime.parse("2021-08-19T12:00:00")))
          .isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
    }
  }

  @Nested
  class Validation {
    final EventValidator validator = new EventValidator(EventLimits.defaults());

    Event.Builder base() {
      return Event.builder().id("1").source("s").type("t");
    }

    @Test
    void requires_non_empty_id_source_type_and_subject() {
      assertThat(code(() -> validator.validate(base().id("").build())))
          .isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(code(() -> validator.validate(base().subject("").build())))
          .isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
    }

    @Test
    void extension_names_follow_the_cloudevents_naming_rule() {
      validator.validate(base().extension("abc123", "x").build());
      for (String bad : List.of("ABC", "a-b", "a_b", "data", "ünï")) {
        assertThat(code(() -> validator.validate(base().extension(bad, "x").build())))
            .as(bad)
            .isEqualTo(ErrorCode.INVALID_EXTENSION_NAME);
      }
      assertThat(code(() -> validator.validate(base().extension("recordedtime", "x").build())))
          .isEqualTo(ErrorCode.RESERVED_ATTRIBUTE);
    }

    @Test
    void limits_are_configurable_and_named() {
      var small = new EventValidator(new EventLimits(1024, 2, 10));
      var e =
          (EvidentSourceException)
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> small.validate(base().type("12345678901").build()));
      assertThat(e.code()).isEqualTo(ErrorCode.ATTRIBUTE_TOO_LONG);
      assertThat(e.getMessage()).contains("max-attribute-bytes").contains("10");
      assertThat(
              code(
                  () ->
                      small.validateBatch(List.of(base().build(), base().build(), base().build()))))
          .isEqualTo(ErrorCode.BATCH_TOO_LARGE);
      assertThat(code(() -> small.validateBatch(List.of()))).isEqualTo(ErrorCode.EMPTY_TRANSACTION);
      assertThatThrownBy(() -> new EventLimits(65536, 99, 1024))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void names_the_index_of_the_bad_event_in_a_batch() {
      var e =
          (EvidentSourceException)
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> validator.validateBatch(List.of(base().build(), base().id("").build())));
      assertThat(e.fields()).containsEntry("index", 1).containsEntry("attribute", "id");
    }
  }
}
