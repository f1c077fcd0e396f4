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

  @Test
  void agrees_with_the_jdk_strict_decoder_on_mostly_ascii_ranges_of_any_length() {
    var random = new Random(17);
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = new byte[random.nextInt(48)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = random.nextInt(10) == 0 ? (byte) random.nextInt(256) : (byte) 'a';
      }
      int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      int length = random.nextInt(bytes.length - offset + 1);
      boolean jdk;
      try {
        decoder.decode(ByteBuffer.wrap(bytes, offset, length));
        jdk = true;
      } catch (CharacterCodingException e) {
        jdk = false;
      }
      assertThat(Utf8.firstMalformed(bytes, offset, length) < 0)
          .as("%s from %d, %d bytes", hex(bytes), offset, length)
          .isEqualTo(jdk);
    }
  }

  @Test
  void finds_a_malformed_byte_after_any_number_of_ascii_bytes() {
    for (int k = 0; k < 40; k++) {
      byte[] bytes = ("a".repeat(k) + "__" + "b".repeat(9)).getBytes(StandardCharsets.US_ASCII);
      bytes[k] = (byte) 0xC0; // overlong '/'
      bytes[k + 1] = (byte) 0xAF;
      assertThat(Utf8.firstMalformed(bytes, 0, bytes.length)).isEqualTo(k);
      assertThat(Utf8.firstMalformed(bytes, 0, k)).isEqualTo(-1);
    }
  }

  @Test
  void finds_unpaired_surrogates_in_strings() {
    assertThat(Utf8.firstLoneSurrogate("a\uD83D\uDE00b")).isEqualTo(-1); // a pair: U+1F600
    assertThat(Utf8.firstLoneSurrogate("ab\uD800")).isEqualTo(2); // high at the end
    assertThat(Utf8.firstLoneSurrogate("\uD800x")).isZero(); // high, then no low
    assertThat(Utf8.firstLoneSurrogate("x\uDC00")).isEqualTo(1); // low alone
    assertThat(Utf8.firstLoneSurrogate("\uDE00\uD83D")).isZero(); // the wrong order
  }

  @Test
  void finds_unpaired_surrogate_escapes_in_json_text() {
    assertThat(escape("{\"a\":\"\\ud83d\\ude00\"}")).isEqualTo(-1);
    assertThat(escape("{\"a\":\"\\u00e9\\n\\\\ud800\"}")).isEqualTo(-1); // an escaped backslash
    assertThat(escape("\"x\\ud800\"")).isEqualTo(2);
    assertThat(escape("\"x\\ud800\\u0041\"")).isEqualTo(2); // high, then not a low
    assertThat(escape("\"x\\ud800\\ud800\\udc00\"")).isEqualTo(2);
    assertThat(escape("[\"\\uDC00\"]")).isEqualTo(2); // low alone (upper-case hex)
    assertThat(escape("{\"\\udbff\":1}")).isEqualTo(2); // in a member name
    byte[] direct = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
    assertThat(Utf8.firstLoneSurrogateEscape(direct)).isEqualTo(1);
  }

  private static int escape(String json) {
    return Utf8.firstLoneSurrogateEscape(json.getBytes(StandardCharsets.UTF_8));
  }

  private static int first(String hex) {
    byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);
    return Utf8.firstMalformed(bytes, 0, bytes.length);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.ofDelimiter(" ").formatHex(bytes);
  }
}
