package io.evidentsource.core.port;

import io.evidentsource.core.command.TransactionResult;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** The outcome of a compare-and-set append (ADR 0002). */
public sealed interface AppendOutcome {

  /**
   * Calls the function for this outcome and returns its result. This is the one way to dispatch on
   * the kind: each kind has its own parameter, so a new kind breaks the build of every caller until
   * it handles it (Java 17 has no pattern {@code switch}).
   */
  <R extends @Nullable Object> R match(
      Function<Committed, R> committed,
      Function<HeadMoved, R> headMoved,
      Function<Duplicate, R> duplicate);

  /**
   * The events were written.
   *
   * @param result the new transaction's result
   */
  record Committed(TransactionResult result) implements AppendOutcome {
    @Override
    public <R extends @Nullable Object> R match(
        Function<Committed, R> committed,
        Function<HeadMoved, R> headMoved,
        Function<Duplicate, R> duplicate) {
      return committed.apply(this);
    }
  }

  /**
   * Another writer moved the head first; nothing was written.
   *
   * @param actualHead the head revision found
   */
  record HeadMoved(long actualHead) implements AppendOutcome {
    @Override
    public <R extends @Nullable Object> R match(
        Function<Committed, R> committed,
        Function<HeadMoved, R> headMoved,
        Function<Duplicate, R> duplicate) {
      return headMoved.apply(this);
    }
  }

  /**
   * A transaction with this id was committed before; nothing was written.
   *
   * @param original the stored result of the original transaction (not marked duplicate)
   */
  record Duplicate(TransactionResult original) implements AppendOutcome {
    @Override
    public <R extends @Nullable Object> R match(
        Function<Committed, R> committed,
        Function<HeadMoved, R> headMoved,
        Function<Duplicate, R> duplicate) {
      return duplicate.apply(this);
    }
  }
}
