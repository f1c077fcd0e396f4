package io.evidentsource.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What events and state-view states print, and when they are equal. */
class ValueTextTest {

  private static Event.Builder order() {
    return Event.builder().id("o-1").source("https://shop.example/orders").type("OrderPlaced");
  }

  @Nested
  class event_to_string {
    @Test
    void shows_json_data_as_text() {
      var event = order().subject("order-1").jsonData("{\"total\":42}").build();
      assertThat(event.toString())
          .contains("subject=order-1")
          .contains("dataContentType=application/json")
          .endsWith("data={\"total\":42}]")
          .doesNotContain("[B@");
    }

    @Test
    void shows_text_data_as_text() {
      var event = order().data("text/plain", "hello".getBytes(StandardCharsets.UTF_8)).build();
      assertThat(event.toString()).endsWith("data=hello]");
    }

    @Test
    void shows_binary_data_as_its_size_and_content_type() {
      var event = order().data("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1}).build();
      assertThat(event.toString()).endsWith("data=<6 bytes, image/png>]");
    }

    @Test
    void shows_data_without_a_content_type_as_text_when_it_is_printable_utf8() {
      var json = new Event("1", "s", "t", null, null, null, java.util.Map.of(), bytes("{\"a\":1}"));
      var binary =
          new Event("1", "s", "t", null, null, null, java.util.Map.of(), new byte[] {0, 1});
      assertThat(json.toString()).endsWith("data={\"a\":1}]");
      assertThat(binary.toString()).endsWith("data=<2 bytes>]");
    }

    @Test
    void abbreviates_long_text_naming_its_size() {
      var event = order().data("text/plain", bytes("x".repeat(1000))).build();
      assertThat(event.toString())
          .endsWith("data=" + "x".repeat(DataText.MAX_CHARS) + "… (1000 bytes)]");
    }

    @Test
    void shows_absent_data_as_null() {
      assertThat(order().build().toString()).endsWith("data=null]");
    }
  }

  @Nested
  class event_equality {
    @Test
    void compares_data_by_content() {
      var a = order().jsonData("{\"total\":42}").build();
      var b = order().jsonData("{\"total\":42}").build();
      var c = order().jsonData("{\"total\":43}").build();
      assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
    }
  }

  @Nested
  class state_view_state {
    private StateViewState state(String contentType, byte[] content) {
      return new StateViewState(
          "bank", "account-summary", 1, 7, 5, Instant.EPOCH, contentType, content);
    }

    @Test
    void shows_json_content_as_text() {
      assertThat(state("application/json", bytes("{\"balance\":70}")).toString())
          .endsWith("content={\"balance\":70}]")
          .doesNotContain("[B@");
    }

    @Test
    void shows_binary_content_as_its_size_and_an_empty_state_as_empty() {
      assertThat(state("application/octet-stream", new byte[] {1, 2, 3}).toString())
          .endsWith("content=<3 bytes, application/octet-stream>]");
      assertThat(state("application/json", new byte[0]).toString()).endsWith("content=<empty>]");
    }

    @Test
    void compares_content_by_value() {
      assertThat(state("application/json", bytes("{}")))
          .isEqualTo(state("application/json", bytes("{}")))
          .hasSameHashCodeAs(state("application/json", bytes("{}")))
          .isNotEqualTo(state("application/json", bytes("[]")));
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
