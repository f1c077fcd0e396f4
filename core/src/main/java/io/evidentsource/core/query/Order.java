package io.evidentsource.core.query;

/** What a query sorts by. */
public enum Order {
  /** By revision: the order of commits. */
  REVISION,
  /** By effective time ({@code time}, else the recorded time), ties broken by revision. */
  EFFECTIVE_TIME
}
