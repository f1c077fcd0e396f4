package io.evidentsource.core.model;

/** UTF-8 byte counting without allocating; limits count bytes, not characters (docs/limits.md). */
public final class Utf8 {
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
}
