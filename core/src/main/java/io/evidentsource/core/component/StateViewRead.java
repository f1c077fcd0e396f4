package io.evidentsource.core.component;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where and with what parameters to read a state view
 * (docs/data-model.md#state-views-and-state-changes).
 *
 * @param revision read at this revision, or null for the latest
 * @param asOfTransactionTime read at the highest revision recorded at or before it; exclusive with
 *     {@code revision}
 * @param asOfEffectiveTime only for {@code effective} views: fold events effective at or before it
 * @param params the view's parameters, filling the selector's {@code {param}} placeholders
 * @throws EvidentSourceException {@code INVALID_QUERY} naming the parameter
 */
public record StateViewRead(
    @Nullable Long revision,
    @Nullable Instant asOfTransactionTime,
    @Nullable Instant asOfEffectiveTime,
    Map<String, String> params) {
  public StateViewRead {
    params = Map.copyOf(params);
    if (revision != null && asOfTransactionTime != null) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "give either 'revision' or 'as_of_transaction_time', not both",
          Map.of("parameter", "revision"));
    }
  }

  /** The latest state with these parameters. */
  public static StateViewRead latest(Map<String, String> params) {
    return new StateViewRead(null, null, null, params);
  }

  /** The state at a revision with these parameters. */
  public static StateViewRead at(long revision, Map<String, String> params) {
    return new StateViewRead(revision, null, null, params);
  }
}
