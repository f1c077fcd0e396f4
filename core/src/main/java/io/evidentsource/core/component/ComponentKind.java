package io.evidentsource.core.component;

/** The two kinds of component, each with its guest export (docs/wasm-abi.md). */
public enum ComponentKind {
  /** Folds events into state: exports {@code evidentsource_evolve}. */
  STATE_VIEW("evidentsource_evolve"),
  /** Turns a command into events: exports {@code evidentsource_decide}. */
  STATE_CHANGE("evidentsource_decide");

  private final String entryPoint;

  ComponentKind(String entryPoint) {
    this.entryPoint = entryPoint;
  }

  /** The name of the guest export this kind must have. */
  public String entryPoint() {
    return entryPoint;
  }
}
