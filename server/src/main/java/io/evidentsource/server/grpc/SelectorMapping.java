package io.evidentsource.server.grpc;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.selector.SelectorText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Event selectors and append conditions between their evidentsource.v1 messages and the core types;
 * a selector may also come as text ({@code selector_text}, REST's {@code q} syntax).
 */
final class SelectorMapping {
  private SelectorMapping() {}

  static EventSelector selector(io.evidentsource.api.v1.EventSelector s) {
    switch (s.getKindCase()) {
      case ANY:
        return EventSelector.any();
      case EQUALS:
        var eq = s.getEquals();
        return new EventSelector.Equals(
            attribute(eq.getAttribute()), eq.hasValue() ? eq.getValue() : null);
      case STARTS_WITH:
        var sw = s.getStartsWith();
        return new EventSelector.StartsWith(attribute(sw.getAttribute()), sw.getPrefix());
      case AND:
        return new EventSelector.And(selectors(s.getAnd().getSelectorsList()));
      case OR:
        return new EventSelector.Or(selectors(s.getOr().getSelectorsList()));
      default:
        throw new EvidentSourceException(
            ErrorCode.INVALID_SELECTOR,
            "a selector needs one of any, equals, starts_with, and, or");
    }
  }

  private static List<EventSelector> selectors(List<io.evidentsource.api.v1.EventSelector> list) {
    var out = new ArrayList<EventSelector>(list.size());
    for (var s : list) {
      out.add(selector(s));
    }
    return out;
  }

  private static Attribute attribute(io.evidentsource.api.v1.Attribute a) {
    switch (a) {
      case ATTRIBUTE_STREAM:
        return Attribute.STREAM;
      case ATTRIBUTE_SUBJECT:
        return Attribute.SUBJECT;
      case ATTRIBUTE_EVENT_TYPE:
        return Attribute.EVENT_TYPE;
      case ATTRIBUTE_TAG:
        return Attribute.TAG;
      default:
        throw new EvidentSourceException(
            ErrorCode.INVALID_SELECTOR,
            "a selector's attribute must be one of ATTRIBUTE_STREAM, ATTRIBUTE_SUBJECT,"
                + " ATTRIBUTE_EVENT_TYPE, ATTRIBUTE_TAG, was "
                + a);
    }
  }

  static io.evidentsource.api.v1.EventSelector selector(EventSelector s) {
    var b = io.evidentsource.api.v1.EventSelector.newBuilder();
    if (s instanceof EventSelector.Equals) {
      var eq = (EventSelector.Equals) s;
      var m =
          io.evidentsource.api.v1.EventSelector.Equals.newBuilder()
              .setAttribute(attribute(eq.attribute()));
      if (eq.value() != null) {
        m.setValue(eq.value());
      }
      b.setEquals(m);
    } else if (s instanceof EventSelector.StartsWith) {
      var sw = (EventSelector.StartsWith) s;
      b.setStartsWith(
          io.evidentsource.api.v1.EventSelector.StartsWith.newBuilder()
              .setAttribute(attribute(sw.attribute()))
              .setPrefix(sw.prefix()));
    } else if (s instanceof EventSelector.And) {
      b.setAnd(group(((EventSelector.And) s).selectors()));
    } else if (s instanceof EventSelector.Or) {
      b.setOr(group(((EventSelector.Or) s).selectors()));
    } else {
      b.setAny(io.evidentsource.api.v1.EventSelector.AnyEvent.getDefaultInstance());
    }
    return b.build();
  }

  private static io.evidentsource.api.v1.EventSelector.Selectors group(List<EventSelector> list) {
    var g = io.evidentsource.api.v1.EventSelector.Selectors.newBuilder();
    for (var s : list) {
      g.addSelectors(selector(s));
    }
    return g.build();
  }

  private static io.evidentsource.api.v1.Attribute attribute(Attribute a) {
    return switch (a) {
      case STREAM -> io.evidentsource.api.v1.Attribute.ATTRIBUTE_STREAM;
      case SUBJECT -> io.evidentsource.api.v1.Attribute.ATTRIBUTE_SUBJECT;
      case EVENT_TYPE -> io.evidentsource.api.v1.Attribute.ATTRIBUTE_EVENT_TYPE;
      case TAG -> io.evidentsource.api.v1.Attribute.ATTRIBUTE_TAG;
    };
  }

  /** The selector of a query or subscription: the tree, the text form, or (neither) any event. */
  static EventSelector selector(
      boolean hasTree, io.evidentsource.api.v1.EventSelector tree, String text) {
    if (hasTree && !text.isEmpty()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "give either 'selector' or 'selector_text', not both",
          Map.of("parameter", "selector_text"));
    }
    if (hasTree) {
      return selector(tree);
    }
    return text.isEmpty() ? EventSelector.any() : SelectorText.parse(text);
  }

  static AppendCondition condition(io.evidentsource.api.v1.AppendCondition c) {
    switch (c.getKindCase()) {
      case MAX:
        return AppendCondition.max(selector(c.getMax().getSelector()), c.getMax().getRevision());
      case MIN:
        return AppendCondition.min(selector(c.getMin().getSelector()), c.getMin().getRevision());
      case RANGE:
        var r = c.getRange();
        return AppendCondition.range(selector(r.getSelector()), r.getStart(), r.getEnd());
      default:
        throw new EvidentSourceException(
            ErrorCode.INVALID_CONDITION, "a condition needs one of max, min, range");
    }
  }

  static io.evidentsource.api.v1.AppendCondition condition(AppendCondition c) {
    var b = io.evidentsource.api.v1.AppendCondition.newBuilder();
    if (c instanceof AppendCondition.Max) {
      var m = (AppendCondition.Max) c;
      b.setMax(
          io.evidentsource.api.v1.AppendCondition.Max.newBuilder()
              .setSelector(selector(m.selector()))
              .setRevision(m.revision()));
    } else if (c instanceof AppendCondition.Min) {
      var m = (AppendCondition.Min) c;
      b.setMin(
          io.evidentsource.api.v1.AppendCondition.Min.newBuilder()
              .setSelector(selector(m.selector()))
              .setRevision(m.revision()));
    } else {
      var r = (AppendCondition.Range) c;
      b.setRange(
          io.evidentsource.api.v1.AppendCondition.Range.newBuilder()
              .setSelector(selector(r.selector()))
              .setStart(r.start())
              .setEnd(r.end()));
    }
    return b.build();
  }

  static io.evidentsource.api.v1.FailedConditions failedConditions(ConditionFailedException e) {
    var b = io.evidentsource.api.v1.FailedConditions.newBuilder().setHeadRevision(e.headRevision());
    for (var f : e.failures()) {
      b.addFailedConditions(
          io.evidentsource.api.v1.FailedCondition.newBuilder()
              .setCondition(condition(f.condition()))
              .setActualRevision(f.actualRevision()));
    }
    return b.build();
  }
}
