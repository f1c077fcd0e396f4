package io.evidentsource.core.observe;

import io.evidentsource.core.error.EvidentSourceException;

/** How a component call ended; {@link #label()} is the metrics tag value. */
public enum CallOutcome {
  /** It returned state or a decision. */
  OK("ok"),
  /** A state change returned a rejection ({@code command_rejected}). */
  REJECTED("rejected"),
  /** It trapped or reported an error ({@code component_failed}). */
  FAILED("failed"),
  /** It ran past the per-call deadline ({@code component_timeout}). */
  TIMEOUT("timeout"),
  /** It exceeded its memory or output limit ({@code component_limit_exceeded}). */
  LIMIT_EXCEEDED("limit_exceeded"),
  /** Anything else went wrong (a host error, a view it read failed). */
  ERROR("error");

  private final String label;

  CallOutcome(String label) {
    this.label = label;
  }

  /** The stable lower-case tag value. */
  public String label() {
    return label;
  }

  /** The outcome of a call that threw {@code error}. */
  public static CallOutcome of(Throwable error) {
    if (!(error instanceof EvidentSourceException e)) {
      return ERROR;
    }
    return switch (e.code()) {
      case COMPONENT_FAILED -> FAILED;
      case COMPONENT_TIMEOUT -> TIMEOUT;
      case COMPONENT_LIMIT_EXCEEDED -> LIMIT_EXCEEDED;
      case COMMAND_REJECTED -> REJECTED;
      default -> ERROR;
    };
  }
}
