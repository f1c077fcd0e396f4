package io.evidentsource.client;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Which events a query reads, a subscription follows or a condition watches; the same tree as the
 * server's selectors (docs/data-model.md#event-selectors). Equality and prefix matches are literal.
 */
public sealed interface Selector {

  /** The attribute an {@link Equals} or {@link StartsWith} compares. */
  enum Attribute {
    /** The CloudEvents {@code source}. */
    STREAM,
    SUBJECT,
    /** The CloudEvents {@code type}. */
    EVENT_TYPE,
    /** One tag of the {@code tags} extension. */
    TAG
  }

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

  /** Every event. */
  record Any() implements Selector {
    @Override
    public <R> R match(
        Function<Any, R> any,
        Function<Equals, R> equals,
        Function<StartsWith, R> startsWith,
        Function<And, R> and,
        Function<Or, R> or) {
      return any.apply(this);
    }
  }

  /**
   * Events whose attribute equals {@code value}; {@code SUBJECT} with a null value selects events
   * without a subject.
   */
  record Equals(Attribute attribute, @Nullable String value) implements Selector {
    public Equals {
      Objects.requireNonNull(attribute, "attribute");
      if (value == null && attribute != Attribute.SUBJECT) {
        throw new IllegalArgumentException("only SUBJECT may be compared with null");
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
  }

  /** Events whose attribute starts with the literal {@code prefix}. */
  record StartsWith(Attribute attribute, String prefix) implements Selector {
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
  }

  /** Events matching every one of {@code selectors} (at least one). */
  record And(List<Selector> selectors) implements Selector {
    public And {
      selectors = List.copyOf(selectors);
      if (selectors.isEmpty()) {
        throw new IllegalArgumentException("'and' needs at least one selector");
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
  }

  /** Events matching at least one of {@code selectors} (at least one). */
  record Or(List<Selector> selectors) implements Selector {
    public Or {
      selectors = List.copyOf(selectors);
      if (selectors.isEmpty()) {
        throw new IllegalArgumentException("'or' needs at least one selector");
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
  }

  static Selector any() {
    return new Any();
  }

  static Selector stream(String stream) {
    return new Equals(Attribute.STREAM, stream);
  }

  static Selector subject(String subject) {
    return new Equals(Attribute.SUBJECT, subject);
  }

  static Selector noSubject() {
    return new Equals(Attribute.SUBJECT, null);
  }

  static Selector eventType(String type) {
    return new Equals(Attribute.EVENT_TYPE, type);
  }

  static Selector tag(String tag) {
    return new Equals(Attribute.TAG, tag);
  }

  static Selector startsWith(Attribute attribute, String prefix) {
    return new StartsWith(attribute, prefix);
  }

  static Selector and(Selector... selectors) {
    return new And(List.of(selectors));
  }

  static Selector or(Selector... selectors) {
    return new Or(List.of(selectors));
  }
}
