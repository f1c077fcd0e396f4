package io.evidentsource.core.model;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The DCB {@code tags} extension: a comma-separated set of tags
 * (docs/data-model.md#streams-subjects-and-tags). Spaces around each tag are trimmed; order and
 * duplicates are not significant (ADR 0002).
 */
public final class Tags {
  /** Largest tag, in UTF-8 bytes. */
  public static final int MAX_TAG_BYTES = 256;

  /** Most tags one event may carry. */
  public static final int MAX_TAGS_PER_EVENT = 32;

  private Tags() {}

  /** Splits and trims without validating; see {@link #validate(String)} for the rules. */
  public static List<String> parse(String value) {
    if (value.indexOf(',') < 0) {
      String t = value.strip();
      return t.isEmpty() ? List.of() : List.of(t);
    }
    var out = new LinkedHashSet<String>();
    for (String part : value.split(",", -1)) {
      String t = part.strip();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Validates a {@code tags} value: at most {@value #MAX_TAGS_PER_EVENT} tags, each 1 to {@value
   * #MAX_TAG_BYTES} UTF-8 bytes, no control characters, no empty entries.
   *
   * @return the tags
   * @throws EvidentSourceException {@link ErrorCode#INVALID_TAG} naming the rule broken
   */
  public static List<String> validate(String value) {
    var parts = value.split(",", -1);
    var seen = new ArrayList<String>(parts.length);
    for (String part : parts) {
      String t = part.strip();
      if (t.isEmpty()) {
        throw invalid("the tags extension '" + value + "' holds an empty tag");
      }
      if (Utf8.length(t) > MAX_TAG_BYTES) {
        throw invalid(
            "tag '" + abbreviate(t) + "' is longer than " + MAX_TAG_BYTES + " bytes (UTF-8)");
      }
      for (int i = 0; i < t.length(); i++) {
        if (Character.isISOControl(t.charAt(i))) {
          throw invalid("tag '" + abbreviate(t) + "' contains a control character");
        }
      }
      if (!seen.contains(t)) {
        seen.add(t);
      }
    }
    if (seen.size() > MAX_TAGS_PER_EVENT) {
      throw invalid(
          "an event may carry at most "
              + MAX_TAGS_PER_EVENT
              + " tags, this one has "
              + seen.size());
    }
    return List.copyOf(seen);
  }

  private static EvidentSourceException invalid(String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_TAG,
        detail,
        Map.of("attribute", Event.TAGS_EXTENSION, "limit_tag_bytes", MAX_TAG_BYTES));
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
