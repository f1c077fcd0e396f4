package io.evidentsource.core.selector;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The textual selector could not be parsed. {@link #position()} is the 1-based character column
 * where parsing stopped, {@link #expected()} what the grammar allowed there and {@link #found()}
 * what was there instead.
 */
public final class SelectorSyntaxException extends EvidentSourceException {
  private final int position;
  private final String expected;
  private final String found;

  SelectorSyntaxException(String text, int position, String expected, String found) {
    super(
        ErrorCode.INVALID_SELECTOR,
        "selector syntax error at column "
            + position
            + ": expected "
            + expected
            + " but found "
            + found
            + " in: "
            + excerpt(text),
        fields(position, expected, found));
    this.position = position;
    this.expected = expected;
    this.found = found;
  }

  /** The selector as the message quotes it: at most 200 characters, so errors stay small. */
  private static String excerpt(String text) {
    return text.length() <= 200
        ? text
        : text.substring(0, 200) + "... (" + text.length() + " chars)";
  }

  private static Map<String, Object> fields(int position, String expected, String found) {
    var m = new LinkedHashMap<String, Object>();
    m.put("position", position);
    m.put("expected", expected);
    m.put("found", found);
    return m;
  }

  /** 1-based column of the offending token. */
  public int position() {
    return position;
  }

  /** What the grammar allowed at {@link #position()}, e.g. {@code "'=' or LIKE"}. */
  public String expected() {
    return expected;
  }

  /** The token found instead, e.g. {@code "'AND'"} or {@code "end of input"}. */
  public String found() {
    return found;
  }
}
