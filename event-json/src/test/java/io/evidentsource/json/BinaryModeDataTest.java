package io.evidentsource.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.EventData;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The data of binary-mode CloudEvents, as the REST API and the Kafka ingress both read it. */
class BinaryModeDataTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static EvidentSourceException refused(String contentType, byte[] body) {
    var e =
        catchThrowableOfType(
            EvidentSourceException.class, () -> BinaryModeData.decode(contentType, body));
    assertThat(e).as("decoding %s should fail", contentType).isNotNull();
    return e;
  }

  @Nested
  class by_content_type {
    @Test
    void an_empty_body_is_no_data_whatever_the_type() {
      assertThat(BinaryModeData.decode("application/json", new byte[0])).isNull();
      assertThat(BinaryModeData.decode(null, new byte[0])).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void no_content_type_is_bytes(String blank) {
      byte[] body = {0, 1, (byte) 0xff};
      assertThat(BinaryModeData.decode(null, body)).isEqualTo(new EventData.Binary(body));
      assertThat(BinaryModeData.decode(blank, body)).isEqualTo(new EventData.Binary(body));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "application/json",
          "Application/JSON; charset=utf-8",
          "text/json",
          "application/vnd.order+json"
        })
    void a_json_type_is_the_json_value_compacted(String type) {
      assertThat(BinaryModeData.decode(type, utf8("{ \"total\" : 12.50 }")))
          .isEqualTo(EventData.Json.of("{\"total\":12.50}"));
    }

    @Test
    void a_json_null_is_no_data() {
      assertThat(BinaryModeData.decode("application/json", utf8("null"))).isNull();
    }

    @Test
    void malformed_json_is_malformed_json() {
      assertThat(refused("application/json", utf8("{\"a\":")).code())
          .isEqualTo(ErrorCode.MALFORMED_JSON);
    }

    @Test
    void other_types_are_bytes_even_when_they_look_like_text() {
      assertThat(BinaryModeData.decode("application/octet-stream", utf8("hi")))
          .isEqualTo(new EventData.Binary(utf8("hi")));
      assertThat(BinaryModeData.decode("image/png; charset=utf-8", utf8("hi")))
          .isEqualTo(new EventData.Binary(utf8("hi")));
    }
  }

  @Nested
  class text {
    @Test
    void text_without_a_charset_is_utf8() {
      assertThat(BinaryModeData.decode("text/plain", utf8("ünïcødé")))
          .isEqualTo(new EventData.Text("ünïcødé"));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "text/plain; charset=ISO-8859-1",
          "TEXT/Plain;charset=\"iso-8859-1\"",
          "text/csv; header=present; Charset=latin1"
        })
    void text_is_decoded_in_its_charset(String type) {
      assertThat(BinaryModeData.decode(type, "café".getBytes(StandardCharsets.ISO_8859_1)))
          .isEqualTo(new EventData.Text("café"));
    }

    @Test
    void text_that_is_not_valid_in_its_charset_is_refused_naming_the_data() {
      var e = refused("text/plain", "café".getBytes(StandardCharsets.ISO_8859_1));

      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "data").containsEntry("charset", "UTF-8");
      assertThat(e).hasMessage("the text data is not valid UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x-unknown-1", "\"\"", "not a name"})
    void an_unknown_charset_is_refused_naming_the_content_type_not_kept_as_bytes(String name) {
      var e = refused("text/plain; charset=" + name, utf8("hi"));

      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ATTRIBUTE);
      assertThat(e.fields()).containsEntry("attribute", "datacontenttype");
      assertThat(e).hasMessageStartingWith("unknown charset '");
    }
  }
}
