package io.evidentsource.core.error;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A failure with a stable {@link ErrorCode}, a detail message for humans and named fields for
 * programs (for example {@code limit}, {@code actual}, {@code attribute}, {@code index}); the
 * server copies the fields into the problem details body.
 */
public class EvidentSourceException extends RuntimeException {
  private final ErrorCode code;
  private final Map<String, Object> fields;
  private final String detail;

  /**
   * @param code the stable error code
   * @param detail what went wrong with this request, naming the offending value or limit
   */
  public EvidentSourceException(ErrorCode code, String detail) {
    this(code, detail, Map.of(), null);
  }

  /**
   * @param code the stable error code
   * @param detail what went wrong with this request
   * @param fields extra machine-readable fields, in insertion order
   */
  public EvidentSourceException(ErrorCode code, String detail, Map<String, ?> fields) {
    this(code, detail, fields, null);
  }

  /**
   * @param code the stable error code
   * @param detail what went wrong with this request
   * @param fields extra machine-readable fields, in insertion order
   * @param cause the underlying failure, if any
   */
  public EvidentSourceException(
      ErrorCode code, String detail, Map<String, ?> fields, @Nullable Throwable cause) {
    super(detail, cause);
    this.code = code;
    this.detail = detail;
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<String, Object>(fields));
  }

  /** What went wrong with this request (never null). */
  @Override
  public String getMessage() {
    return detail;
  }

  /** The stable error code. */
  public ErrorCode code() {
    return code;
  }

  /** Extra machine-readable fields (never null, possibly empty). */
  public Map<String, Object> fields() {
    return fields;
  }

  /** Returns a copy of this failure with {@code key} added to its fields. */
  public EvidentSourceException withField(String key, Object value) {
    var merged = new LinkedHashMap<String, Object>(fields);
    merged.put(key, value);
    var copy = new EvidentSourceException(code, detail, merged, getCause());
    copy.setStackTrace(getStackTrace());
    return copy;
  }
}
