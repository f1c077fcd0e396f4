package io.evidentsource.core.observe;

/** Which export of a component was called; {@link #label()} is the metrics tag value. */
public enum ComponentCall {
  /** A state view's {@code evidentsource_evolve}: one batch of events folded. */
  EVOLVE("evolve"),
  /** A state change's {@code evidentsource_decide}: one command decided. */
  DECIDE("decide");

  private final String label;

  ComponentCall(String label) {
    this.label = label;
  }

  /** The stable lower-case tag value. */
  public String label() {
    return label;
  }
}
