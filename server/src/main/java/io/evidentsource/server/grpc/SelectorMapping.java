package io.evidentsource.server.grpc;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.selector.SelectorLimits;
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
    return switch (s.getKindCase()) {
      case ANY -> EventSelector.any();
      case EQUALS ->
          new EventSelector.Equals(
              attribute(s.getEquals().getAttribute()),
              s.getEquals().hasValue() ? s.getEquals().getValue() : null);
      case STARTS_WITH ->
          new EventSelector.StartsWith(
              attribute(s.getStartsWith().getAttribute()), s.getStartsWith().getPrefix());
      case AND -> new EventSelector.And(selectors(s.getAnd().getSelectorsList()));
      case OR -> new EventSelector.Or(selectors(s.getOr().getSelectorsList()));
      case KIND_NOT_SET ->
          throw new EvidentSourceException(
              ErrorCode.INVALID_SELECTOR,
              "a selector needs one of any, equals, starts_with, and, or");
    };
  }

  private static List<EventSelector> selectors(List<io.evidentsource.api.v1.EventSelector> list) {
    var out = new ArrayList<EventSelector>(list.size());
    for (var s : list) {
      out.add(selector(s));
    }
    return out;
  }

  private static Attribute attribute(io.evidentsource.api.v1.Attribute a) {
    return switch (a) {
      case ATTRIBUTE_STREAM -> Attribute.STREAM;
      case ATTRIBUTE_SUBJECT -> Attribute.SUBJECT;
      case ATTRIBUTE_EVENT_TYPE -> Attribute.EVENT_TYPE;
      case ATTRIBUTE_TAG -> Attribute.TAG;
      case ATTRIBUTE_UNSPECIFIED, UNRECOGNIZED ->
          throw new EvidentSourceException(
              ErrorCode.INVALID_SELECTOR,
              "a selector's attribute must be one of ATTRIBUTE_STREAM, ATTRIBUTE_SUBJECT,"
                  + " ATTRIBUTE_EVENT_TYPE, ATTRIBUTE_TAG, was "
                  + a);
    };
  }

  static io.evidentsource.api.v1.EventSelector selector(EventSelector s) {
    var b = io.evidentsource.api.v1.EventSelector.newBuilder();
    return s.match(
            any -> b.setAny(io.evidentsource.api.v1.EventSelector.AnyEvent.getDefaultInstance()),
            equals -> {
              var m =
                  io.evidentsource.api.v1.EventSelector.Equals.newBuilder()
                      .setAttribute(attribute(equals.attribute()));
              if (equals.value() != null) {
                m.setValue(equals.value());
              }
              return b.setEquals(m);
            },
            startsWith ->
                b.setStartsWith(
                    io.evidentsource.api.v1.EventSelector.StartsWith.newBuilder()
                        .setAttribute(attribute(startsWith.attribute()))
                        .setPrefix(startsWith.prefix())),
            and -> b.setAnd(group(and.selectors())),
            or -> b.setOr(group(or.selectors())))
        .build();
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

  /**
   * The selector of a query, subscription or state view: the tree, the text form, or (neither) any
   * event, within the server's selector limits as on REST ({@code
   * evidentsource.selector.max-depth}, {@code max-terms}; docs/limits.md).
   *
   * @throws EvidentSourceException {@code INVALID_QUERY} (both forms), {@code INVALID_SELECTOR} or
   *     {@code SELECTOR_TOO_COMPLEX} naming the limit
   */
  static EventSelector selector(
      boolean hasTree,
      io.evidentsource.api.v1.EventSelector tree,
      String text,
      SelectorLimits limits) {
    if (hasTree && !text.isEmpty()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "give either 'selector' or 'selector_text', not both",
          Map.of("parameter", "selector_text"));
    }
    if (hasTree) {
      // protobuf parsing bounds the tree's depth at 100 already; the limits are the server's
      return limits.check(selector(tree));
    }
    return text.isEmpty() ? EventSelector.any() : SelectorText.parse(text, limits);
  }

  /** An append condition of a request, its selector within the server's selector limits. */
  static AppendCondition condition(
      io.evidentsource.api.v1.AppendCondition c, SelectorLimits limits) {
    AppendCondition condition = condition(c);
    limits.check(condition.selector());
    return condition;
  }

  private static AppendCondition condition(io.evidentsource.api.v1.AppendCondition c) {
    return switch (c.getKindCase()) {
      case MAX -> AppendCondition.max(selector(c.getMax().getSelector()), c.getMax().getRevision());
      case MIN -> AppendCondition.min(selector(c.getMin().getSelector()), c.getMin().getRevision());
      case RANGE ->
          AppendCondition.range(
              selector(c.getRange().getSelector()), c.getRange().getStart(), c.getRange().getEnd());
      case KIND_NOT_SET ->
          throw new EvidentSourceException(
              ErrorCode.INVALID_CONDITION, "a condition needs one of max, min, range");
    };
  }

  static io.evidentsource.api.v1.AppendCondition condition(AppendCondition c) {
    var b = io.evidentsource.api.v1.AppendCondition.newBuilder();
    return c.match(
            max ->
                b.setMax(
                    io.evidentsource.api.v1.AppendCondition.Max.newBuilder()
                        .setSelector(selector(max.selector()))
                        .setRevision(max.revision())),
            min ->
                b.setMin(
                    io.evidentsource.api.v1.AppendCondition.Min.newBuilder()
                        .setSelector(selector(min.selector()))
                        .setRevision(min.revision())),
            range ->
                b.setRange(
                    io.evidentsource.api.v1.AppendCondition.Range.newBuilder()
                        .setSelector(selector(range.selector()))
                        .setStart(range.start())
                        .setEnd(range.end())))
        .build();
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
