package io.evidentsource.core.selector;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Which events a query reads or a condition watches (docs/data-model.md#event-selectors). Equality
 * and prefix matches are literal: no character inside a value has a special meaning.
 */
public sealed interface EventSelector {

  /** Whether {@code event} matches; the reference semantics the index must agree with. */
  boolean matches(Event event);

  /**
   * Calls the function for this selector's kind and returns its result. This is the one way to
   * dispatch on the kind: each kind has its own parameter, so a new kind breaks the build of every
   * caller until it handles it (Java 17 has no pattern {@code switch}).
   */
  <R> R match(
      Function<Any, R> any,
      Function<Equals, R> equals,
      Function<StartsWith, R> startsWith,
      Function<And, R> and,
      Function<Or, R> or);

  /** Matches every event. */
  record Any() implements EventSelector {
    @Override
    public <R> R match(
        Function<Any, R> any,
        Function<Equals, R> equals,
        Function<StartsWith, R> startsWith,
        Function<And, R> and,
        Function<Or, R> or) {
      return any.apply(this);
    }

    @Override
    public boolean matches(Event event) {
      return true;
    }
  }

  /**
   * Matches events whose attribute equals {@code value}; a null value with {@link
   * Attribute#SUBJECT} matches events without a subject.
   *
   * @param attribute the attribute compared
   * @param value the exact value, or null for "no subject"
   */
  record Equals(Attribute attribute, @Nullable String value) implements EventSelector {
    public Equals {
      Objects.requireNonNull(attribute, "attribute");
      if (value == null && attribute != Attribute.SUBJECT) {
        throw invalid(
            "only 'subject' may be compared with null, not '" + attribute.jsonName() + "'");
      }
    }

    @Override
    public <R> R match(
        Function<Any, R> any,
        Function<Equals, R> equals,
        Function<StartsWith, R> startsWith,
        Function<And, R> and,
        Function<Or, R> or) {
      return equals.apply(this);
    }

    @Override
    public boolean matches(Event event) {
      return switch (attribute) {
        case STREAM -> event.source().equals(value);
        case SUBJECT -> Objects.equals(event.subject(), value);
        case EVENT_TYPE -> event.type().equals(value);
        case TAG -> event.tags().contains(value);
      };
    }
  }

  /**
   * Matches events whose attribute starts with {@code prefix} (events without the attribute never
   * match).
   *
   * @param attribute the attribute compared
   * @param prefix the literal prefix
   */
  record StartsWith(Attribute attribute, String prefix) implements EventSelector {
    public StartsWith {
      Objects.requireNonNull(attribute, "attribute");
      Objects.requireNonNull(prefix, "prefix");
    }

    @Override
    public <R> R match(
        Function<Any, R> any,
        Function<Equals, R> equals,
        Function<StartsWith, R> startsWith,
        Function<And, R> and,
        Function<Or, R> or) {
      return startsWith.apply(this);
    }

    @Override
    public boolean matches(Event event) {
      return switch (attribute) {
        case STREAM -> event.source().startsWith(prefix);
        case SUBJECT -> event.subject() != null && event.subject().startsWith(prefix);
        case EVENT_TYPE -> event.type().startsWith(prefix);
        case TAG -> event.tags().stream().anyMatch(t -> t.startsWith(prefix));
      };
    }
  }

  /**
   * Matches events that match every one of {@code selectors}.
   *
   * @param selectors at least one selector
   */
  record And(List<EventSelector> selectors) implements EventSelector {
    public And {
      selectors = List.copyOf(selectors);
      if (selectors.isEmpty()) {
        throw invalid("'and' needs at least one selector");
      }
    }

    @Override
    public <R> R match(
        Function<Any, R> any,
        Function<Equals, R> equals,
        Function<StartsWith, R> startsWith,
        Function<And, R> and,
        Function<Or, R> or) {
      return and.apply(this);
    }

    @Override
    public boolean matches(Event event) {
      for (var s : selectors) {
        if (!s.matches(event)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Matches events that match at least one of {@code selectors}.
   *
   * @param selectors at least one selector
   */
  record Or(List<EventSelector> selectors) implements EventSelector {
    public Or {
      selectors = List.copyOf(selectors);
      if (selectors.isEmpty()) {
        throw invalid("'or' needs at least one selector");
      }
    }

    @Override
    public <R> R match(
        Function<Any, R> any,
        Function<Equals, R> equals,
        Function<StartsWith, R> startsWith,
        Function<And, R> and,
        Function<Or, R> or) {
      return or.apply(this);
    }

    @Override
    public boolean matches(Event event) {
      for (var s : selectors) {
        if (s.matches(event)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Matches every event. */
  static EventSelector any() {
    return new Any();
  }

  /** Events of one stream (CloudEvents {@code source}). */
  static EventSelector stream(String stream) {
    return new Equals(Attribute.STREAM, stream);
  }

  /** Events with this subject. */
  static EventSelector subject(String subject) {
    return new Equals(Attribute.SUBJECT, subject);
  }

  /** Events without a subject. */
  static EventSelector noSubject() {
    return new Equals(Attribute.SUBJECT, null);
  }

  /** Events of this CloudEvents {@code type}. */
  static EventSelector eventType(String type) {
    return new Equals(Attribute.EVENT_TYPE, type);
  }

  /** Events carrying this tag. */
  static EventSelector tag(String tag) {
    return new Equals(Attribute.TAG, tag);
  }

  /** Events whose attribute starts with a literal prefix. */
  static EventSelector startsWith(Attribute attribute, String prefix) {
    return new StartsWith(attribute, prefix);
  }

  /** Conjunction. */
  static EventSelector and(EventSelector... selectors) {
    return new And(List.of(selectors));
  }

  /** Disjunction. */
  static EventSelector or(EventSelector... selectors) {
    return new Or(List.of(selectors));
  }

  private static EvidentSourceException invalid(String detail) {
    return new EvidentSourceException(ErrorCode.INVALID_SELECTOR, detail);
  }
}
