package io.evidentsource.core.observe;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;

/** How a transaction ended; {@link #label()} is the metrics tag value. */
public enum TransactionOutcome {
  /** Its events were appended. */
  COMMITTED("committed"),
  /** Its transaction id had committed before: the original result came back, nothing appended. */
  DUPLICATE("duplicate"),
  /** An append condition did not hold; nothing was appended. */
  CONDITION_FAILED("condition_failed"),
  /**
   * The request was refused (invalid events, a limit, a duplicate event id, an unknown database).
   */
  REJECTED("rejected"),
  /** The server could not complete it (storage failure, contention deadline, internal error). */
  ERROR("error");

  private final String label;

  TransactionOutcome(String label) {
    this.label = label;
  }

  /** The stable lower-case tag value, e.g. {@code condition_failed}. */
  public String label() {
    return label;
  }

  /**
   * The outcome of a transaction that threw {@code error}: {@link #CONDITION_FAILED} for {@code
   * condition_failed}, {@link #ERROR} for a retriable code ({@code internal}, {@code
   * contention_timeout}) or anything that is not an {@link EvidentSourceException}, else {@link
   * #REJECTED}.
   */
  public static TransactionOutcome of(Throwable error) {
    if (!(error instanceof EvidentSourceException e)) {
      return ERROR;
    }
    if (e.code() == ErrorCode.CONDITION_FAILED) {
      return CONDITION_FAILED;
    }
    return e.code().retriable() ? ERROR : REJECTED;
  }
}
