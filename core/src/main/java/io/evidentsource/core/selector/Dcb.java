package io.evidentsource.core.selector;

import io.evidentsource.core.condition.AppendCondition;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Maps the Dynamic Consistency Boundary model (the DCB specification's Query, QueryItem and
 * AppendCondition) onto selectors and conditions
 * (docs/data-model.md#dynamic-consistency-boundaries): a query item {@code {types, tags}} is {@code
 * and(or(event_type=T...), tag=a, tag=b, ...)}, a query is the {@code or} of its items, and {@code
 * {failIfEventsMatch: Q, after: p}} is {@code max(Q, p)} ({@code max(Q, 0)} without {@code after}).
 */
public final class Dcb {
  private Dcb() {}

  /**
   * One DCB query item: events of any of {@code types} (any type when empty) carrying all of {@code
   * tags} (no tag constraint when empty).
   */
  public static EventSelector queryItem(List<String> types, List<String> tags) {
    var parts = new ArrayList<EventSelector>();
    if (!types.isEmpty()) {
      var alternatives = new ArrayList<EventSelector>();
      for (String t : types) {
        alternatives.add(EventSelector.eventType(t));
      }
      parts.add(
          alternatives.size() == 1 ? alternatives.get(0) : new EventSelector.Or(alternatives));
    }
    for (String tag : tags) {
      parts.add(EventSelector.tag(tag));
    }
    if (parts.isEmpty()) {
      return EventSelector.any();
    }
    return parts.size() == 1 ? parts.get(0) : new EventSelector.And(parts);
  }

  /** A DCB query: events matching any item; with no items, every event ({@code Query.all()}). */
  public static EventSelector query(List<EventSelector> items) {
    if (items.isEmpty()) {
      return EventSelector.any();
    }
    return items.size() == 1 ? items.get(0) : new EventSelector.Or(items);
  }

  /**
   * DCB's append condition: fail if an event matching {@code query} exists after position {@code
   * after} (or at all, when null).
   */
  public static AppendCondition failIfEventsMatch(EventSelector query, @Nullable Long after) {
    return AppendCondition.max(query, after == null ? 0 : after);
  }
}
