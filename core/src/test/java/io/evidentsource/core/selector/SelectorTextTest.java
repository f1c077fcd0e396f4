package io.evidentsource.core.selector;

import static io.evidentsource.core.selector.EventSelector.and;
import static io.evidentsource.core.selector.EventSelector.eventType;
import static io.evidentsource.core.selector.EventSelector.noSubject;
import static io.evidentsource.core.selector.EventSelector.or;
import static io.evidentsource.core.selector.EventSelector.startsWith;
import static io.evidentsource.core.selector.EventSelector.stream;
import static io.evidentsource.core.selector.EventSelector.subject;
import static io.evidentsource.core.selector.EventSelector.tag;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SelectorTextTest {

  @Nested
  class Parsing {
    @Test
    void parses_the_design_example_with_and_binding_tighter_than_or() {
      var s =
          SelectorText.parse(
              "stream = 'orders' AND (type = 'OrderPlaced' OR subject LIKE 'order-%')");
      assertThat(s)
          .isEqualTo(
              and(
                  stream("orders"),
                  or(eventType("OrderPlaced"), startsWith(Attribute.SUBJECT, "order-"))));
      assertThat(SelectorText.parse("type = 'a' OR type = 'b' AND tag = 'c'"))
          .isEqualTo(or(eventType("a"), and(eventType("b"), tag("c"))));
    }

    @Test
    void keywords_are_case_insensitive() {
      assertThat(SelectorText.parse("Subject is null or ANY"))
          .isEqualTo(or(noSubject(), EventSelector.any()));
      assertThat(SelectorText.parse("TYPE like 'x%' and TAG = 't'"))
          .isEqualTo(and(startsWith(Attribute.EVENT_TYPE, "x"), tag("t")));
    }

    @Test
    void only_a_final_percent_in_like_means_prefix() {
      assertThat(SelectorText.parse("subject LIKE 'a%b'")).isEqualTo(subject("a%b"));
      assertThat(SelectorText.parse("subject LIKE 'a_b%'"))
          .isEqualTo(startsWith(Attribute.SUBJECT, "a_b"));
      assertThat(SelectorText.parse("subject LIKE '50%%'"))
          .isEqualTo(startsWith(Attribute.SUBJECT, "50%"));
      assertThat(SelectorText.parse("subject = 'x*%'")).isEqualTo(subject("x*%"));
    }

    @Test
    void a_doubled_quote_is_a_quote() {
      assertThat(SelectorText.parse("subject = 'it''s'")).isEqualTo(subject("it's"));
      assertThat(SelectorText.parse("subject = ''")).isEqualTo(subject(""));
    }
  }

  @Nested
  class Errors {
    SelectorSyntaxException error(String text) {
      try {
        SelectorText.parse(text);
      } catch (SelectorSyntaxException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SELECTOR);
        return e;
      }
      throw new AssertionError("expected a syntax error for: " + text);
    }

    @Test
    void names_the_column_the_expected_token_and_what_was_found() {
      var e = error("stream = 'a' AND");
      assertThat(e.position()).isEqualTo(17);
      assertThat(e.expected()).contains("attribute");
      assertThat(e.found()).isEqualTo("end of input");
      assertThat(e.getMessage()).contains("column 17");
    }

    @Test
    void reports_an_unknown_attribute() {
      var e = error("color = 'red'");
      assertThat(e.position()).isEqualTo(1);
      assertThat(e.found()).isEqualTo("'color'");
    }

    @Test
    void reports_a_missing_operator_and_a_missing_string() {
      assertThat(error("type 'x'").expected()).isEqualTo("'=' or LIKE");
      assertThat(error("subject").expected()).isEqualTo("'=', LIKE or IS NULL");
      var e = error("type = x");
      assertThat(e.position()).isEqualTo(8);
      assertThat(e.expected()).contains("quoted string");
    }

    @Test
    void reports_unbalanced_parentheses_and_unterminated_strings() {
      assertThat(error("(type = 'a'").expected()).isEqualTo("')', AND or OR");
      assertThat(error("type = 'a')").expected()).contains("unbalanced");
      var e = error("type = 'abc");
      assertThat(e.position()).isEqualTo(8);
      assertThat(e.expected()).contains("closing quote");
    }

    @Test
    void only_subject_may_be_null() {
      assertThat(error("stream IS NULL").expected()).contains("only subject IS NULL");
      assertThat(error("subject IS 'x'").expected()).isEqualTo("NULL");
    }

    @Test
    void reports_the_first_error_by_position_even_before_odd_characters() {
      var unquoted = error("subject LIKE issues/%");
      assertThat(unquoted.position()).isEqualTo(14);
      assertThat(unquoted.found()).isEqualTo("'issues'");
      assertThat(unquoted.expected()).contains("quoted string");
      var in = error("type IN ('a','b')");
      assertThat(in.position()).isEqualTo(6);
      assertThat(in.found()).isEqualTo("'IN'");
    }

    @Test
    void rejects_stray_characters() {
      var e = error("type = 'a' && type = 'b'");
      assertThat(e.position()).isEqualTo(12);
      assertThat(e.found()).isEqualTo("'&'");
    }
  }

  @Nested
  class RoundTrip {
    @Test
    void formatting_then_parsing_gives_the_same_tree_for_random_selectors() {
      var random = new Random(1234);
      for (int i = 0; i < 2000; i++) {
        EventSelector s = random(random, 3);
        String text = SelectorText.format(s);
        assertThat(SelectorText.parse(text)).as("text: %s", text).isEqualTo(s);
      }
    }

    private EventSelector random(Random r, int depth) {
      String[] values = {"orders", "a'b", "50%", "x_y", "", "order-1", "é ü", "it''s", "%"};
      int k = r.nextInt(depth > 0 ? 7 : 5);
      Attribute[] attributes = Attribute.values();
      Attribute a = attributes[r.nextInt(attributes.length)];
      String v = values[r.nextInt(values.length)];
      return switch (k) {
        case 0 -> new EventSelector.Equals(a, v);
        case 1 -> new EventSelector.StartsWith(a, v);
        case 2 -> noSubject();
        case 3 -> EventSelector.any();
        case 4 -> new EventSelector.Equals(a, v + "%");
        default -> {
          var children = new ArrayList<EventSelector>();
          int n = 2 + r.nextInt(3);
          for (int i = 0; i < n; i++) {
            children.add(random(r, depth - 1));
          }
          yield k == 5 ? new EventSelector.And(children) : new EventSelector.Or(children);
        }
      };
    }
  }
}
