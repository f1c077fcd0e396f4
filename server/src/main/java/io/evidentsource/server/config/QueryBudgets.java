package io.evidentsource.server.config;

import io.evidentsource.core.query.QueryBudget;
import java.util.function.BooleanSupplier;

/**
 * Hands each query request its {@link QueryBudget}, with the limits of {@link QueryProperties} and
 * the JVM's monotonic clock.
 */
public final class QueryBudgets {
  private final QueryBudget.Limits limits;

  QueryBudgets(QueryBudget.Limits limits) {
    this.limits = limits;
  }

  /**
   * A budget for a REST request: bounded in entries and time. The servlet API does not say when a
   * client goes away before the response is written, so the time bound is what ends the work of a
   * page whose client left; a stream stops at its first write after that.
   */
  public QueryBudget forRequest() {
    return new QueryBudget(limits, System::nanoTime, () -> false);
  }

  /**
   * A budget for a call that knows when its client cancelled (gRPC's {@code isCancelled}, true also
   * once the client's deadline passed): the query stops within a few thousand index entries.
   */
  public QueryBudget forCall(BooleanSupplier cancelled) {
    return new QueryBudget(limits, System::nanoTime, cancelled);
  }

  /** The limits in force. */
  public QueryBudget.Limits limits() {
    return limits;
  }
}
