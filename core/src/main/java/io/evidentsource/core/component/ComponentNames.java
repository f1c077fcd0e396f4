package io.evidentsource.core.component;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.Map;
import java.util.regex.Pattern;

/** The rule component names follow: 1-128 chars of a-z, 0-9, '-', '_', starting with a letter. */
final class ComponentNames {
  private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_-]{0,127}$");

  private ComponentNames() {}

  static String check(String field, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_COMPONENT,
          "'" + field + "' must match " + NAME.pattern() + ", was '" + name + "'",
          Map.of("field", field));
    }
    return name;
  }
}
