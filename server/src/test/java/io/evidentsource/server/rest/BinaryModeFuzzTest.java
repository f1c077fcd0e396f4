package io.evidentsource.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * Fuzzes the binary-mode header decoder (docs/reliability.md): any set of {@code ce-} headers and
 * any body either read into an event or are refused with a client error code, never {@code
 * internal} or another exception. An input is an HTTP header block, a blank line, then the body
 * (see {@code BinaryModeFuzzTestInputs/}).
 */
class BinaryModeFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void reads_or_refuses_with_a_client_error(byte[] input) {
    int split = indexOf(input, new byte[] {'\n', '\n'});
    byte[] head = split < 0 ? input : Arrays.copyOf(input, split);
    byte[] body = split < 0 ? new byte[0] : Arrays.copyOfRange(input, split + 2, input.length);
    var request = new MockHttpServletRequest("POST", "/api/v1/databases/fuzz/events");
    for (String line : new String(head, StandardCharsets.ISO_8859_1).lines().toList()) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      if (name.equalsIgnoreCase("content-type")) {
        request.setContentType(value);
      } else {
        request.addHeader(name, value);
      }
    }
    try {
      assertThat(BinaryModeEvents.read(request, body)).isNotNull();
    } catch (EvidentSourceException e) {
      assertThat(e.code()).isNotEqualTo(ErrorCode.INTERNAL);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
