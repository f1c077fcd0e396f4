package io.evidentsource.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.selector.SelectorText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SelectorAndConditionJsonTest {

  static EvidentSourceException selectorError(String json) {
    return catchThrowableOfType(EvidentSourceException.class, () -> SelectorJson.fromJson(json));
  }

  static EvidentSourceException conditionError(String json) {
    return catchThrowableOfType(EvidentSourceException.class, () -> ConditionJson.fromJson(json));
  }

  @Nested
  class selectors {
    @Test
    void reads_every_shape_of_the_design() {
      assertThat(SelectorJson.fromJson("{\"type\":\"any\"}")).isEqualTo(EventSelector.any());
      assertThat(SelectorJson.fromJson("{\"type\":\"equals\",\"attr\":{\"stream\":\"s\"}}"))
          .isEqualTo(EventSelector.stream("s"));
      assertThat(SelectorJson.fromJson("{\"type\":\"equals\",\"attr\":{\"subject\":\"x\"}}"))
          .isEqualTo(EventSelector.subject("x"));
      assertThat(SelectorJson.fromJson("{\"type\":\"equals\",\"attr\":{\"subject\":null}}"))
          .isEqualTo(EventSelector.noSubject());
      assertThat(SelectorJson.fromJson("{\"type\":\"equals\",\"attr\":{\"event_type\":\"T\"}}"))
          .isEqualTo(EventSelector.eventType("T"));
      assertThat(SelectorJson.fromJson("{\"type\":\"equals\",\"attr\":{\"tag\":\"course:c1\"}}"))
          .isEqualTo(EventSelector.tag("course:c1"));
      assertThat(
              SelectorJson.fromJson(
                  "{\"type\":\"starts_with\",\"attr\":{\"subject\":\"issues/\"}}"))
          .isEqualTo(EventSelector.startsWith(Attribute.SUBJECT, "issues/"));
      assertThat(
              SelectorJson.fromJson(
                  "{\"type\":\"and\",\"selectors\":[{\"type\":\"any\"},"
                      + "{\"type\":\"or\",\"selectors\":[{\"type\":\"equals\",\"attr\":{\"tag\":\"a\"}}]}]}"))
          .isEqualTo(
              EventSelector.and(EventSelector.any(), EventSelector.or(EventSelector.tag("a"))));
    }

    @Test
    void json_and_text_compile_to_the_same_tree() {
      String text = "stream = 'orders' AND (type = 'OrderPlaced' OR subject LIKE 'order-%')";
      String json =
          "{\"type\":\"and\",\"selectors\":["
              + "{\"type\":\"equals\",\"attr\":{\"stream\":\"orders\"}},"
              + "{\"type\":\"or\",\"selectors\":["
              + "{\"type\":\"equals\",\"attr\":{\"event_type\":\"OrderPlaced\"}},"
              + "{\"type\":\"starts_with\",\"attr\":{\"subject\":\"order-\"}}]}]}";
      assertThat(SelectorJson.fromJson(json)).isEqualTo(SelectorText.parse(text));
      assertThat(SelectorJson.toJson(SelectorText.parse(text))).isEqualTo(json);
    }

    @Test
    void round_trips_through_json() {
      for (EventSelector s :
          List.of(
              EventSelector.any(),
              EventSelector.noSubject(),
              EventSelector.startsWith(Attribute.TAG, "course:"),
              EventSelector.or(
                  EventSelector.stream("a"), EventSelector.and(EventSelector.tag("t"))))) {
        assertThat(SelectorJson.fromJson(SelectorJson.toJson(s))).isEqualTo(s);
      }
      assertThat(SelectorJson.toJson(EventSelector.noSubject()))
          .isEqualTo("{\"type\":\"equals\",\"attr\":{\"subject\":null}}");
    }

    @Test
    void errors_name_the_json_path() {
      var e =
          selectorError(
              "{\"type\":\"and\",\"selectors\":[{\"type\":\"any\"},"
                  + "{\"type\":\"equals\",\"attr\":{\"colour\":\"red\"}}]}");
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SELECTOR);
      assertThat(e.fields()).containsEntry("path", "$.selectors[1].attr.colour");

      Map<String, String> cases =
          Map.of(
              "{\"type\":\"like\"}", "$.type",
              "{\"attr\":{}}", "$.type",
              "[]", "$",
              "{\"type\":\"equals\",\"attr\":{\"stream\":null}}", "$.attr.stream",
              "{\"type\":\"starts_with\",\"attr\":{\"subject\":null}}", "$.attr.subject",
              "{\"type\":\"equals\",\"attr\":{\"stream\":\"a\",\"subject\":\"b\"}}", "$.attr",
              "{\"type\":\"equals\",\"attr\":{\"stream\":1}}", "$.attr.stream",
              "{\"type\":\"or\",\"selectors\":[]}", "$.selectors",
              "{\"type\":\"any\",\"attr\":{}}", "$.attr");
      cases.forEach(
          (json, path) -> {
            var error = selectorError(json);
            assertThat(error.code()).as(json).isEqualTo(ErrorCode.INVALID_SELECTOR);
            assertThat(error.fields()).as(json).containsEntry("path", path);
            assertThat(error.getMessage()).as(json).contains(path);
          });
    }
  }

  @Nested
  class conditions {
    @Test
    void reads_max_min_and_range() {
      assertThat(
              ConditionJson.fromJson(
                  "{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":0}"))
          .isEqualTo(AppendCondition.max(EventSelector.any(), 0));
      assertThat(
              ConditionJson.fromJson(
                  "{\"type\":\"min\",\"selector\":{\"type\":\"equals\",\"attr\":{\"tag\":\"t\"}},"
                      + "\"revision\":4}"))
          .isEqualTo(AppendCondition.min(EventSelector.tag("t"), 4));
      assertThat(
              ConditionJson.fromJson(
                  "{\"type\":\"range\",\"selector\":{\"type\":\"any\"},\"start\":2,\"end\":5}"))
          .isEqualTo(AppendCondition.range(EventSelector.any(), 2, 5));
    }

    @Test
    void round_trips_through_json() {
      for (AppendCondition c :
          List.of(
              AppendCondition.max(EventSelector.noSubject(), 7),
              AppendCondition.min(EventSelector.stream("s"), 1),
              AppendCondition.range(EventSelector.any(), 0, 9_000_000_000L))) {
        assertThat(ConditionJson.fromJson(ConditionJson.toJson(c))).isEqualTo(c);
      }
    }

    @Test
    void errors_name_the_json_path() {
      Map<String, String> cases =
          Map.of(
              "{\"type\":\"maximum\",\"selector\":{\"type\":\"any\"},\"revision\":1}", "$.type",
              "{\"type\":\"max\",\"revision\":1}", "$.selector",
              "{\"type\":\"max\",\"selector\":{\"type\":\"any\"}}", "$.revision",
              "{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":-1}", "$.revision",
              "{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":1.5}", "$.revision",
              "{\"type\":\"min\",\"selector\":{\"type\":\"any\"},\"revision\":\"3\"}", "$.revision",
              "{\"type\":\"range\",\"selector\":{\"type\":\"any\"},\"start\":5,\"end\":2}", "$",
              "{\"type\":\"range\",\"selector\":{\"type\":\"any\"},\"start\":5,\"revision\":2}",
                  "$.revision");
      cases.forEach(
          (json, path) -> {
            var error = conditionError(json);
            assertThat(error.code()).as(json).isEqualTo(ErrorCode.INVALID_CONDITION);
            assertThat(error.fields()).as(json).containsEntry("path", path);
          });
    }

    @Test
    void a_bad_selector_inside_a_condition_is_an_invalid_selector_with_the_full_path() {
      var error =
          conditionError("{\"type\":\"max\",\"selector\":{\"type\":\"nope\"},\"revision\":1}");
      assertThat(error.code()).isEqualTo(ErrorCode.INVALID_SELECTOR);
      assertThat(error.fields()).containsEntry("path", "$.selector.type");
    }

    @Test
    void a_list_names_the_element() {
      var error =
          catchThrowableOfType(
              EvidentSourceException.class,
              () ->
                  ConditionJson.readList(
                      JsonSupport.parse(
                          "[{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":1},{}]"
                              .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                      "$.conditions"));
      assertThat(error.fields()).containsEntry("path", "$.conditions[1].type");
    }
  }
}
