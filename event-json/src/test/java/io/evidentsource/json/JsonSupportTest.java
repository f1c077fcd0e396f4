package io.evidentsource.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Utf8;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonSupportTest {

  private static EvidentSourceException parseFailure(String text) {
    return parseFailure(text.getBytes(StandardCharsets.UTF_8));
  }

  private static EvidentSourceException parseFailure(byte[] bytes) {
    var e = catchThrowableOfType(EvidentSourceException.class, () -> JsonSupport.parse(bytes));
    assertThat(e).as("parsing should fail").isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    return e;
  }

  @Nested
  class malformed_json_messages {

    /** Each body and what the message must say about it, in the terms of JSON. */
    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '~',
        value = {
          "{\"a\":NaN}                  | 'NaN' (JSON has no NaN or Infinity)",
          "{\"a\":Infinity}             | 'Infinity' (JSON has no NaN or Infinity)",
          "{\"a\":1}{\"b\":2}           | more content follows the JSON value",
          "{\"a\":1} 2                  | more content follows the JSON value",
          "// note\\n{}                 | JSON has no comments",
          "/* note */ {}                | JSON has no comments",
          "{\"a\":+1}                   | does not allow numbers to have plus signs",
          "{'a':1}                      | was expecting double-quote to start property name",
          "{\"a\":1,\"a\":2}            | Duplicate Object property \"a\"",
          "{\"a\":01}                   | Leading zeroes not allowed",
          "{\"a\":                      | Unexpected end-of-input",
          "[1,2                         | Unexpected end-of-input",
          "nul                          | Unrecognized token 'nul'",
          "{\"a\":\"\\q\"}              | Unrecognized character escape 'q'",
        })
    void say_what_is_wrong_without_parser_internals(String body, String expected) {
      var e = parseFailure(body.replace("\\n", "\n"));
      assertThat(e.getMessage())
          .startsWith("the request body is not well-formed JSON at line ")
          .contains(expected);
      assertNoParserInternals(e.getMessage());
    }

    @Test
    void name_the_limit_of_a_parser_constraint_without_its_setting() {
      var e = parseFailure("[".repeat(1_200) + "]".repeat(1_200));
      assertThat(e.getMessage()).contains("nesting depth").contains("maximum allowed (500)");
      assertNoParserInternals(e.getMessage());

      var number = parseFailure("{\"a\":" + "1".repeat(2_000) + "}");
      assertThat(number.getMessage()).contains("maximum allowed (1000)");
      assertNoParserInternals(number.getMessage());
    }

    @Test
    void control_characters_and_bad_utf8_are_named() {
      var control = parseFailure("{\"a\":\"\u0001\"}");
      assertThat(control.getMessage()).contains("CTRL-CHAR, code 1");
      assertNoParserInternals(control.getMessage());

      var utf8 = parseFailure(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'});
      assertThat(utf8.getMessage()).contains("Invalid UTF-8");
      assertNoParserInternals(utf8.getMessage());
    }

    private void assertNoParserInternals(String message) {
      assertThat(message)
          .doesNotContain("`")
          .doesNotContainIgnoringCase("feature")
          .doesNotContainIgnoringCase("jackson")
          .doesNotContain("JsonToken")
          .doesNotContain("StreamRead")
          .doesNotContain("Source:")
          .doesNotContain("REDACTED");
    }
  }

  @Nested
  class reason {
    @Test
    void drops_the_clause_that_names_a_parser_setting() {
      assertThat(
              JsonSupport.reason(
                  "Illegal character ((CTRL-CHAR, code 30)): only regular white space allowed"
                      + " (consider enabling `JsonReadFeature.ALLOW_RS_CONTROL_CHAR` to allow use"
                      + " of Record Separators (\\u001E))"))
          .isEqualTo("Illegal character ((CTRL-CHAR, code 30)): only regular white space allowed");
    }

    @Test
    void is_empty_when_nothing_but_internals_remain() {
      assertThat(JsonSupport.reason("`JsonToken.FOO` is not allowed")).isEmpty();
      assertThat(JsonSupport.reason(null)).isEmpty();
    }
  }

  @Test
  void json_data_from_a_parsed_value_is_marked_well_formed_and_is() {
    // unpaired surrogates in strings (the parser refuses them in names), a pair, 2- and 3-byte
    // characters in names and strings, a control escape
    String text =
        "{\"ké\":\"x\\udc00y\\ud800\",\"b\":\"\\ud83d\\ude00 ✓ é\",\"c\":[\"\\u0000\",1.50]}";
    var data = JsonSupport.jsonData(JsonSupport.parse(text.getBytes(StandardCharsets.UTF_8)));
    byte[] utf8 = data.utf8();
    assertThat(data.wellFormed()).isTrue();
    assertThat(Utf8.firstMalformed(utf8, 0, utf8.length)).isEqualTo(-1);
    assertThat(new String(utf8, StandardCharsets.UTF_8))
        .isEqualTo("{\"ké\":\"x\\uDC00y\\uD800\",\"b\":\"😀 ✓ é\",\"c\":[\"\\u0000\",1.50]}");
  }
}
