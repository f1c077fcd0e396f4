package io.evidentsource.core.selector;

import java.util.Optional;

/** The event attributes a selector can match (docs/data-model.md#event-selectors). */
public enum Attribute {
  /** The CloudEvents {@code source}. */
  STREAM("stream", "stream"),
  /** The CloudEvents {@code subject}; may be absent. */
  SUBJECT("subject", "subject"),
  /** The CloudEvents {@code type}. */
  EVENT_TYPE("event_type", "type"),
  /** One tag of the {@code tags} extension. */
  TAG("tag", "tag");

  private final String jsonName;
  private final String textName;

  Attribute(String jsonName, String textName) {
    this.jsonName = jsonName;
    this.textName = textName;
  }

  /** The name in JSON selectors, e.g. {@code event_type}. */
  public String jsonName() {
    return jsonName;
  }

  /** The name in the textual form, e.g. {@code type}. */
  public String textName() {
    return textName;
  }

  /** Looks up a JSON attribute name. */
  public static Optional<Attribute> fromJsonName(String name) {
    for (var a : values()) {
      if (a.jsonName.equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** Looks up a textual attribute name, case-insensitively. */
  public static Optional<Attribute> fromTextName(String name) {
    for (var a : values()) {
      if (a.textName.equalsIgnoreCase(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
