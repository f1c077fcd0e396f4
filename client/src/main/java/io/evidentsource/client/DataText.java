package io.evidentsource.client;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How events and state-view states show their bytes in {@code toString()}: text and JSON as text
 * (abbreviated after {@value #MAX_CHARS} characters), anything else as its size.
 */
final class DataText {
  /** Characters of text shown before the rest is abbreviated. */
  static final int MAX_CHARS = 256;

  private DataText() {}

  /** Whether a content type is text: JSON (any {@code json} type) or {@code text/*}. */
  static boolean textual(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.toLowerCase(Locale.ROOT);
    return t.startsWith("text/") || t.contains("json");
  }

  /**
   * The data as {@code toString()} shows it: {@code null}; {@code <empty>}; the text, when the
   * content type is text or absent (JSON by CloudEvents' default) and the bytes are UTF-8 without
   * control characters; else {@code <12 bytes, image/png>}.
   */
  static String describe(byte @Nullable [] data, @Nullable String contentType) {
    if (data == null) {
      return "null";
    }
    if (data.length == 0) {
      return "<empty>";
    }
    if (textual(contentType) || contentType == null) {
      String text = printable(data);
      if (text != null) {
        return text.length() <= MAX_CHARS
            ? text
            : text.substring(0, MAX_CHARS) + "… (" + data.length + " bytes)";
      }
    }
    return "<" + data.length + " bytes" + (contentType == null ? "" : ", " + contentType) + ">";
  }

  private static @Nullable String printable(byte[] data) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(data))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
        return null;
      }
    }
    return text;
  }
}
