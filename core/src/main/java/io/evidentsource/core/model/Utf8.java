package io.evidentsource.core.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** UTF-8 byte counting without allocating; limits count bytes, not characters (docs/limits.md). */
public final class Utf8 {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

  private Utf8() {}

  /** The number of bytes {@code s} takes in UTF-8 (unpaired surrogates count as 3, like '?'). */
  public static int length(CharSequence s) {
    int bytes = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * The offset of the first byte of {@code bytes[offset, offset + length)} that does not begin a
   * well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates U+D800..U+DFFF, nothing
   * above U+10FFFF, no truncated or stray continuation bytes), or -1 when all of it is well-formed.
   * Lenient decoders turn the overlong {@code C0 AF} into {@code /}; this finds it.
   */
  public static int firstMalformed(byte[] bytes, int offset, int length) {
    int i = offset;
    int end = offset + length;
    while (i < end) {
      if (end - i >= 8 && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
        i += 8; // eight ASCII bytes at once
        continue;
      }
      int b = bytes[i];
      if (b >= 0) {
        i++;
        continue;
      }
      b &= 0xff;
      int n;
      int lo = 0x80;
      int hi = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) {
        n = 1;
      } else if (b >= 0xe0 && b <= 0xef) {
        n = 2;
        if (b == 0xe0) {
          lo = 0xa0; // below: overlong
        } else if (b == 0xed) {
          hi = 0x9f; // above: surrogates
        }
      } else if (b >= 0xf0 && b <= 0xf4) {
        n = 3;
        if (b == 0xf0) {
          lo = 0x90; // below: overlong
        } else if (b == 0xf4) {
          hi = 0x8f; // above: beyond U+10FFFF
        }
      } else {
        return i; // a continuation byte, C0/C1 (always overlong) or F5..FF
      }
      if (end - i <= n) {
        return i;
      }
      int second = bytes[i + 1] & 0xff;
      if (second < lo || second > hi) {
        return i;
      }
      for (int k = 2; k <= n; k++) {
        int c = bytes[i + k] & 0xff;
        if (c < 0x80 || c > 0xbf) {
          return i;
        }
      }
      i += n + 1;
    }
    return -1;
  }

  /**
   * The index of the first unpaired UTF-16 surrogate in {@code s} (a high surrogate not followed by
   * a low one, or a low one not preceded by a high one), or -1 when {@code s} is a sequence of
   * Unicode scalar values. Such a string has no UTF-8 form: encoders write it as {@code ?}, and
   * strict readers of other languages refuse it.
   */
  public static int firstLoneSurrogate(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        continue;
      }
      return i;
    }
    return -1;
  }

  /**
   * The offset of the first six-character escape (backslash, u, four hex digits) in the JSON text
   * {@code json} that stands for an unpaired UTF-16 surrogate (RFC 8259 §8.2: such strings are not
   * Unicode and "the behavior of software that receives" them "is unpredictable"), or of the first
   * byte of a surrogate encoded directly in UTF-8; -1 when there is none. A high surrogate escape
   * counts as paired only when a low surrogate escape follows at once. The text is not otherwise
   * checked: call it on JSON that was parsed already.
   */
  public static int firstLoneSurrogateEscape(byte[] json) {
    int pendingHigh = -1; // offset of a high surrogate escape waiting for its low half
    int n = json.length;
    int i = 0;
    while (i < n) {
      int b = json[i] & 0xff;
      if (b == 0xED && i + 1 < n && (json[i + 1] & 0xff) >= 0xA0) {
        return pendingHigh >= 0 ? pendingHigh : i; // a surrogate written directly
      }
      if (b != '\\' || i + 1 >= n) {
        if (pendingHigh >= 0) {
          return pendingHigh;
        }
        i++;
        continue;
      }
      if (json[i + 1] != 'u') {
        if (pendingHigh >= 0) {
          return pendingHigh;
        }
        i += 2; // a two-character escape, such as \\ or \"
        continue;
      }
      int unit = hex4(json, i + 2);
      if (unit < 0) {
        return i; // not JSON: nothing a parser accepted
      }
      if (Character.isHighSurrogate((char) unit)) {
        if (pendingHigh >= 0) {
          return pendingHigh;
        }
        pendingHigh = i;
      } else if (Character.isLowSurrogate((char) unit)) {
        if (pendingHigh < 0) {
          return i;
        }
        pendingHigh = -1;
      } else if (pendingHigh >= 0) {
        return pendingHigh;
      }
      i += 6;
    }
    return pendingHigh;
  }

  /** The value of the four hex digits at {@code at}, or -1 when they are not four hex digits. */
  private static int hex4(byte[] text, int at) {
    if (at + 4 > text.length) {
      return -1;
    }
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(text[at + k], 16);
      if (d < 0) {
        return -1;
      }
      v = v << 4 | d;
    }
    return v;
  }
}
