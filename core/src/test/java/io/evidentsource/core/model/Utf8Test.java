package io.evidentsource.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {

  @Test
  void accepts_well_formed_text_of_every_length() {
    byte[] text = "a/é€😀".getBytes(StandardCharsets.UTF_8);
    assertThat(Utf8.firstMalformed(text, 0, text.length)).isEqualTo(-1);
    assertThat(Utf8.firstMalformed(new byte[0], 0, 0)).isEqualTo(-1);
  }

  @Test
  void finds_overlong_surrogate_out_of_range_truncated_and_stray_bytes() {
    assertThat(first("41 C0 AF")).isEqualTo(1); // overlong '/'
    assertThat(first("E0 80 AF")).isZero(); // overlong '/' in three bytes
    assertThat(first("F0 80 80 AF")).isZero(); // overlong in four
    assertThat(first("ED A0 80")).isZero(); // a surrogate
    assertThat(first("F4 90 80 80")).isZero(); // beyond U+10FFFF
    assertThat(first("41 42 E2 82")).isEqualTo(2); // truncated
    assertThat(first("80")).isZero(); // a stray continuation
    assertThat(first("FF")).isZero();
  }

  @Test
  void agrees_with_the_jdk_strict_decoder_on_random_bytes() {
    var random = new Random(18);
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = new byte[random.nextInt(8)];
      random.nextBytes(bytes);
      boolean jdk;
      try {
        decoder.decode(ByteBuffer.wrap(bytes));
        jdk = true;
      } catch (CharacterCodingException e) {
        jdk = false;
      }
      assertThat(Utf8.firstMalformed(bytes, 0, bytes.length) < 0)
          .as("%s", hex(bytes))
          .isEqualTo(jdk);
    }
  }

  private static int first(String hex) {
    byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);
    return Utf8.firstMalformed(bytes, 0, bytes.length);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.ofDelimiter(" ").formatHex(bytes);
  }
}
