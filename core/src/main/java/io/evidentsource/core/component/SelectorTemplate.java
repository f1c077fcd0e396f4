package io.evidentsource.core.component;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {param}} placeholders in a selector's values from read parameters, e.g. {@code
 * {"type":"equals","attr":{"subject":"account/{account_id}"}}} with {@code account_id=a1} selects
 * subject {@code account/a1}. A placeholder without a parameter is an {@code INVALID_QUERY}.
 */
public final class SelectorTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)\\}");

  private SelectorTemplate() {}

  /** The selector with every placeholder replaced. */
  public static EventSelector fill(EventSelector selector, Map<String, String> params) {
    return selector.match(
        any -> any,
        equals ->
            equals.value() == null
                ? equals
                : new EventSelector.Equals(equals.attribute(), fill(equals.value(), params)),
        startsWith ->
            new EventSelector.StartsWith(startsWith.attribute(), fill(startsWith.prefix(), params)),
        and -> new EventSelector.And(fillAll(and.selectors(), params)),
        or -> new EventSelector.Or(fillAll(or.selectors(), params)));
  }

  private static List<EventSelector> fillAll(
      List<EventSelector> selectors, Map<String, String> params) {
    var filled = new ArrayList<EventSelector>(selectors.size());
    selectors.forEach(s -> filled.add(fill(s, params)));
    return filled;
  }

  static String fill(String value, Map<String, String> params) {
    Matcher m = PLACEHOLDER.matcher(value);
    var out = new StringBuilder();
    while (m.find()) {
      var name = m.group(1);
      var replacement = params.get(name);
      if (replacement == null) {
        throw new EvidentSourceException(
            ErrorCode.INVALID_QUERY,
            "the state view's selector needs the parameter '"
                + name
                + "'"
                + (params.isEmpty()
                    ? "; none was given"
                    : "; given: " + new java.util.TreeSet<>(params.keySet())),
            Map.of("parameter", name));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
