package io.evidentsource.core.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()} (ISO-8601 in UTC: {@code yyyy-MM-ddTHH:mm:ss[.fff[fff[fff]]]Z}, the
 * seconds always, the fraction in groups of three digits as needed) without {@code
 * DateTimeFormatter}, which costs about a microsecond per call. This is how a stored event's {@code
 * recordedtime} is written (docs/data-model.md#events), by the JSON writer and by the WASM evolve
 * input alike. Years 0000 to 9999 are written digit by digit; other instants, whose text has a sign
 * and more digits, by {@link Instant#toString()} itself, so the text is the same for every instant.
 */
public final class InstantText {
  /**
   * The most characters (ASCII, so bytes) the text of any instant has: {@link Instant#MAX}'s 37.
   */
  public static final int MAX_LENGTH = 37;

  /** The first second written digit by digit: 0000-01-01T00:00:00Z. */
  private static final long FIRST_FAST_SECOND = -62_167_219_200L;

  /** The last second written digit by digit: 9999-12-31T23:59:59Z. */
  private static final long LAST_FAST_SECOND = 253_402_300_799L;

  private static final int SECONDS_PER_DAY = 86_400;

  private InstantText() {}

  /** The text of {@code instant}, equal to {@link Instant#toString()}. */
  public static String of(Instant instant) {
    byte[] b = new byte[MAX_LENGTH];
    int n = write(instant, b, 0);
    return new String(b, 0, n, StandardCharsets.ISO_8859_1);
  }

  /**
   * Writes the text of {@code instant} ({@link Instant#toString()}) as ASCII bytes into {@code out}
   * from {@code at}.
   *
   * @return the offset after the last byte written
   * @throws IndexOutOfBoundsException when {@code out} has fewer than the text's bytes from {@code
   *     at}; {@link #MAX_LENGTH} bytes are always enough
   */
  public static int write(Instant instant, byte[] out, int at) {
    long second = instant.getEpochSecond();
    if (second < FIRST_FAST_SECOND || second > LAST_FAST_SECOND) {
      byte[] text = instant.toString().getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(text, 0, out, at, text.length);
      return at + text.length;
    }
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(second, SECONDS_PER_DAY));
    int ofDay = Math.floorMod(second, SECONDS_PER_DAY);
    int nano = instant.getNano();
    int fraction = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
    int end = at + 20 + (fraction == 0 ? 0 : 1 + fraction);
    if (at < 0 || end > out.length) {
      throw new IndexOutOfBoundsException(
          "the text of "
              + instant
              + " takes "
              + (end - at)
              + " bytes from offset "
              + at
              + "; the array holds "
              + out.length);
    }
    digits(out, at, date.getYear(), 4);
    out[at + 4] = '-';
    digits(out, at + 5, date.getMonthValue(), 2);
    out[at + 7] = '-';
    digits(out, at + 8, date.getDayOfMonth(), 2);
    out[at + 10] = 'T';
    digits(out, at + 11, ofDay / 3600, 2);
    out[at + 13] = ':';
    digits(out, at + 14, ofDay / 60 % 60, 2);
    out[at + 16] = ':';
    digits(out, at + 17, ofDay % 60, 2);
    if (fraction > 0) {
      out[at + 19] = '.';
      int scaled = fraction == 3 ? nano / 1_000_000 : fraction == 6 ? nano / 1000 : nano;
      digits(out, at + 20, scaled, fraction);
    }
    out[end - 1] = 'Z';
    return end;
  }

  /** Writes {@code value} as exactly {@code width} decimal digits, zero-padded, at {@code at}. */
  private static void digits(byte[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
