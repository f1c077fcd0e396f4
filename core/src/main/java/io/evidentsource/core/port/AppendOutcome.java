package io.evidentsource.core.port;

import io.evidentsource.core.command.TransactionResult;

/** The outcome of a compare-and-set append (ADR 0002). */
public sealed interface AppendOutcome {

  /**
   * The events were written.
   *
   * @param result the new transaction's result
   */
  record Committed(TransactionResult result) implements AppendOutcome {}

  /**
   * Another writer moved the head first; nothing was written.
   *
   * @param actualHead the head revision found
   */
  record HeadMoved(long actualHead) implements AppendOutcome {}

  /**
   * A transaction with this id was committed before; nothing was written.
   *
   * @param original the stored result of the original transaction (not marked duplicate)
   */
  record Duplicate(TransactionResult original) implements AppendOutcome {}
}
