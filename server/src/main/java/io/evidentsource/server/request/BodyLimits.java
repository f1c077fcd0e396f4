package io.evidentsource.server.request;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.LinkedHashMap;
import org.jspecify.annotations.Nullable;

/** The one {@code body_too_large} error of both APIs, naming the limit and its property. */
public final class BodyLimits {
  private BodyLimits() {}

  /**
   * A 413 / {@code RESOURCE_EXHAUSTED} {@code body_too_large} error with the fields {@code limit}
   * (bytes), {@code actual} (bytes, when known) and {@code limit_name}.
   *
   * @param limitName the configuration property of the limit, e.g. {@code
   *     evidentsource.max-request-bytes}
   * @param actual the body's size in bytes, or null when it is only known to be larger (a chunked
   *     body read past the limit)
   */
  public static EvidentSourceException tooLarge(
      long limit, String limitName, @Nullable Long actual) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("limit", limit);
    if (actual != null) {
      fields.put("actual", actual);
    }
    fields.put("limit_name", limitName);
    return new EvidentSourceException(
        ErrorCode.BODY_TOO_LARGE,
        (actual != null
                ? "the request body is " + actual + " bytes, more than the limit "
                : "the request body is larger than the limit ")
            + limitName
            + " ("
            + limit
            + " bytes)",
        fields);
  }
}
