package io.evidentsource.core.index;

/**
 * Receives the index work a read does, so that its caller can bound it: each postings list opened,
 * each step of a union or intersection over its children and each revision a walk visits is charged
 * as one entry. An implementation stops the read by throwing (an {@link
 * io.evidentsource.core.error.EvidentSourceException} naming the budget, as {@code
 * io.evidentsource.core.query.QueryBudget} does); the index itself never throws for a budget.
 */
@FunctionalInterface
public interface ScanBudget {
  /** A budget that never runs out: condition checks and internal reads use it. */
  ScanBudget UNLIMITED = entries -> {};

  /**
   * Charges {@code entries} index entries to the read.
   *
   * @throws RuntimeException as the implementation decides, to stop the read
   */
  void charge(long entries);
}
