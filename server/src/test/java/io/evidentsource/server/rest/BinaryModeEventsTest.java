package io.evidentsource.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Header decoding of binary-mode CloudEvents; the HTTP behaviour is in CloudEventsHttpTest. */
class BinaryModeEventsTest {

  @Test
  void binary_header_values_are_decoded_as_utf8_even_when_sent_raw() {
    // Not what the binding asks senders to do, but what some clients do: raw UTF-8 bytes.
    assertThat(new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))
        .hasSize(5);
    assertThat(
            BinaryModeEvents.percentDecode(
                "subject",
                new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)))
        .isEqualTo("café");
    assertThat(BinaryModeEvents.percentDecode("subject", "a+b%2Bc%20d")).isEqualTo("a+b+c d");
  }
}
