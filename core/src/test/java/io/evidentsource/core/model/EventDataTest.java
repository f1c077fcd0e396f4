package io.evidentsource.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** JSON data knows whether its bytes are well-formed UTF-8 only where that was established. */
class EventDataTest {
  private static final byte[] MALFORMED = {'"', 'a', (byte) 0xC0, (byte) 0xAF, '"'}; // overlong '/'

  @Test
  void text_encoded_from_a_string_is_marked_well_formed() {
    assertThat(EventData.Json.of("{\"a\":\"Zoë 😀\"}").wellFormed()).isTrue();
    assertThat(EventData.Json.of("\"\uD800\"").wellFormed()).isTrue(); // encoded as '?'
  }

  @Test
  void bytes_of_unknown_provenance_are_not_marked() {
    assertThat(new EventData.Json("{}".getBytes(StandardCharsets.UTF_8)).wellFormed()).isFalse();
  }

  @Test
  void checked_bytes_are_marked_only_when_well_formed() {
    assertThat(
            EventData.Json.checked("{\"a\":\"ü\"}".getBytes(StandardCharsets.UTF_8)).wellFormed())
        .isTrue();
    assertThat(EventData.Json.checked(MALFORMED).wellFormed()).isFalse();
  }

  @Test
  void the_mark_is_not_part_of_the_value() {
    byte[] utf8 = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    var marked = new EventData.Json(utf8, true);
    var unmarked = new EventData.Json(utf8.clone());
    assertThat(marked).isEqualTo(unmarked).hasSameHashCodeAs(unmarked);
    assertThat(marked.toString()).isEqualTo(unmarked.toString());
  }
}
