package io.evidentsource.server.config;

import io.evidentsource.core.query.QueryBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Hands each query request its {@link QueryBudget}, with the limits of {@link QueryProperties} and
 * the JVM's monotonic clock, and counts the queries stopped because their client went away ({@code
 * evidentsource.query.cancelled}).
 */
public final class QueryBudgets {
  /** The counter of queries stopped early because their client cancelled or went away. */
  public static final String CANCELLED_METER = "evidentsource.query.cancelled";

  private final QueryBudget.Limits limits;
  private final @Nullable Counter cancelled;

  QueryBudgets(QueryBudget.Limits limits, @Nullable MeterRegistry registry) {
    this.limits = limits;
    this.cancelled =
        registry == null
            ? null
            : Counter.builder(CANCELLED_METER)
                .description(
                    "Query requests stopped early because their client cancelled or went away")
                .register(registry);
  }

  /**
   * A budget for a request that can tell when its client went away: gRPC's {@code isCancelled}
   * (true also once the client's deadline passed), or a REST request's connection probe. The query
   * stops within a few thousand index entries of it.
   */
  public QueryBudget forCall(BooleanSupplier cancelled) {
    return new QueryBudget(limits, System::nanoTime, counted(cancelled));
  }

  /** The limits in force. */
  public QueryBudget.Limits limits() {
    return limits;
  }

  private BooleanSupplier counted(BooleanSupplier signal) {
    Counter counter = cancelled;
    if (counter == null) {
      return signal;
    }
    return new BooleanSupplier() {
      private boolean counted;

      @Override
      public boolean getAsBoolean() {
        boolean gone = signal.getAsBoolean();
        if (gone && !counted) {
          counted = true;
          counter.increment();
        }
        return gone;
      }
    };
  }
}
