package io.evidentsource.core.query;

/** The order in which a query returns events along its {@link Order}. */
public enum Direction {
  /** Oldest first. */
  FORWARD,
  /** Newest first. */
  BACKWARD
}
