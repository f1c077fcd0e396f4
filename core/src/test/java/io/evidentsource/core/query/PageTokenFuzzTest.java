package io.evidentsource.core.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Fuzzes page token decoding (docs/reliability.md): any text, and any bytes in the token's base64
 * form, either decode into a token whose values a query could have produced, or are refused with
 * {@code invalid_page_token}; never another exception.
 */
class PageTokenFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void decodes_or_refuses_with_invalid_page_token(byte[] input) {
    check(new String(input, StandardCharsets.ISO_8859_1));
    check(Base64.getUrlEncoder().withoutPadding().encodeToString(input));
  }

  private static void check(String text) {
    PageToken token;
    try {
      token = PageToken.decode(text);
    } catch (EvidentSourceException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PAGE_TOKEN);
      return;
    }
    assertThat(token.snapshotRevision).isPositive();
    assertThat(token.lastRevision).isBetween(1L, token.snapshotRevision);
    assertThat(PageToken.decode(token.encode())).isEqualTo(token);
  }
}
