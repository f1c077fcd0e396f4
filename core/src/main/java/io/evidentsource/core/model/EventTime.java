package io.evidentsource.core.model;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * A CloudEvents {@code time}: the RFC 3339 text exactly as sent (offset and fraction kept) and the
 * instant it denotes, which is what comparisons use (docs/data-model.md#fine-points).
 *
 * @param text the RFC 3339 timestamp as sent, e.g. {@code 2021-08-19T12:16:32.000-04:00}
 * @param instant the same moment on the UTC time line
 */
public record EventTime(String text, Instant instant) {

  /**
   * The earliest {@code time} the server accepts on write: the start of the nanosecond scale the
   * indexes compare effective times on (a signed 64-bit count of nanoseconds since 1970), {@code
   * 1677-09-21T00:12:43.145224192Z}.
   */
  public static final Instant MIN_ACCEPTED = Instant.ofEpochSecond(0, Long.MIN_VALUE);

  /**
   * The latest {@code time} the server accepts on write, {@code 2262-04-11T23:47:16.854775807Z}.
   */
  public static final Instant MAX_ACCEPTED = Instant.ofEpochSecond(0, Long.MAX_VALUE);

  /** Whether this time lies in {@link #MIN_ACCEPTED}..{@link #MAX_ACCEPTED}. */
  public boolean isInAcceptedRange() {
    return !instant.isBefore(MIN_ACCEPTED) && !instant.isAfter(MAX_ACCEPTED);
  }

  /**
   * Parses an RFC 3339 {@code date-time} (RFC 3339 §5.6).
   *
   * @throws EvidentSourceException {@link ErrorCode#INVALID_ATTRIBUTE} naming {@code time}
   */
  public static EventTime parse(String text) {
    try {
      // RFC 3339 allows a lower-case 't'/'z' and a space is not allowed; ISO_OFFSET_DATE_TIME
      // accepts 'Z' and numeric offsets with any fraction length.
      String normalized = text.replace('t', 'T').replace('z', 'Z');
      var parsed = OffsetDateTime.parse(normalized, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      return new EventTime(text, parsed.toInstant());
    } catch (DateTimeParseException e) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_ATTRIBUTE,
          "attribute 'time' must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, was '"
              + text
              + "'",
          Map.of("attribute", "time"));
    }
  }

  /** An event time for an instant, printed in UTC with full precision. */
  public static EventTime of(Instant instant) {
    return new EventTime(instant.toString(), instant);
  }
}
