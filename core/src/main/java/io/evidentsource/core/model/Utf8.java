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
}
