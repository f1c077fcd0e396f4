package io.evidentsource.core.command;

import java.util.Objects;

/**
 * A committed transaction as the audit reads it: its result (id, revision range, recorded time) and
 * its origin.
 *
 * @param result the transaction's result, as its commit reported it ({@code duplicate} false)
 * @param origin who made it and from where
 */
public record TransactionRecord(TransactionResult result, TransactionOrigin origin) {
  public TransactionRecord {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(origin, "origin");
  }
}
