package io.evidentsource.core.observe;

import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import java.util.Map;

/**
 * The port through which the core reports its work (docs/operations.md): a scope around each step
 * worth a trace span, and one report when a transaction, a query or a component call ends, or the
 * catalog changes. Every method has a no-op default, so an observer implements only what it
 * records; {@link #NONE} records nothing.
 *
 * <p>Implementations must be thread-safe and fast: they run on the request's thread, inside the
 * measured time. An exception an observer throws propagates to the caller, so they must not throw.
 */
public interface EventStoreObserver {

  /** Records nothing. */
  EventStoreObserver NONE = new EventStoreObserver() {};

  /**
   * Opens a scope around one step on the current thread; the core closes it exactly once, on the
   * same thread, after {@link Scope#failed} when the step threw.
   *
   * @param step what runs inside the scope
   * @param database the database it works on
   */
  default Scope open(Step step, DatabaseName database) {
    return Scope.NONE;
  }

  /**
   * The W3C trace headers ({@code traceparent}, {@code tracestate}) of the current thread's trace,
   * read for work another thread does on its behalf: in group commit one thread appends the
   * transactions of several requests, and each transaction's notification carries its own request's
   * trace context (docs/operations.md#traces). Empty when there is no trace (the default).
   */
  default Map<String, String> traceContext() {
    return Map.of();
  }

  /** A transaction ended, committed or not. */
  default void transactionEnded(TransactionReport report) {}

  /** A query, a single-event read or a live tail's read ended. */
  default void queryEnded(QueryReport report) {}

  /** A call into a WebAssembly component ended. */
  default void componentCallEnded(ComponentCallReport report) {}

  /** A state view read looked up its fold in the fold cache. */
  default void foldCacheLookup(DatabaseName database, FoldCacheLookup lookup) {}

  /** A read or an append needed the database's index at a revision. */
  default void indexCacheLookup(DatabaseName database, IndexCacheLookup lookup) {}

  /** A database was created. */
  default void databaseCreated(DatabaseInfo database) {}

  /** A database was deleted, with all its events. */
  default void databaseDeleted(DatabaseName database) {}

  /** A component version was published and is ready to run on this server. */
  default void componentPublished(PublishedComponent<?> component) {}

  /** The steps the core opens a {@link Scope} around. */
  enum Step {
    /** A whole transaction: validation, conditions and the append, with its retries. */
    TRANSACTION("transaction"),
    /** Evaluating a transaction's append conditions on the index. */
    CONDITIONS("conditions"),
    /** The storage adapter's compare-and-set append. */
    STORAGE_APPEND("storage.append"),
    /** A query or a single-event read, from the snapshot to the last event. */
    QUERY("query"),
    /** One call into a WebAssembly component ({@code evolve} or {@code decide}). */
    COMPONENT_CALL("component.call");

    private final String label;

    Step(String label) {
      this.label = label;
    }

    /** The step's stable lower-case name, e.g. {@code storage.append}. */
    public String label() {
      return label;
    }
  }

  /** An open step. */
  interface Scope extends AutoCloseable {
    /** Opens and closes nothing. */
    Scope NONE = new Scope() {};

    /** The step threw {@code error}; {@link #close} follows. */
    default void failed(Throwable error) {}

    /** Ends the step. */
    @Override
    default void close() {}
  }
}
