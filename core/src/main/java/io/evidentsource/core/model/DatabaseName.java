package io.evidentsource.core.model;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A database name: a DNS label of 1 to 63 characters, lower-case letters, digits and hyphens,
 * starting with a letter and not ending with a hyphen (docs/data-model.md#databases, RFC 1035
 * §2.3.1).
 *
 * @param value the name as given
 */
public record DatabaseName(String value) implements Comparable<DatabaseName> {
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$");

  /**
   * @throws EvidentSourceException {@link ErrorCode#INVALID_DATABASE_NAME} when the name breaks the
   *     rule
   */
  public DatabaseName {
    if (!DNS_LABEL.matcher(value).matches()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_DATABASE_NAME,
          "database name '"
              + value
              + "' must match ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$ (1-63 characters: lower-case"
              + " letters, digits and hyphens, starting with a letter, not ending with a hyphen)",
          Map.of("name", value));
    }
  }

  /** Parses a name, with the same errors as the constructor. */
  public static DatabaseName of(String value) {
    return new DatabaseName(value);
  }

  @Override
  public int compareTo(DatabaseName other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
