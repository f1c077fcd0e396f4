package io.evidentsource.core.component;

import io.evidentsource.core.query.Snapshot;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where and with what parameters to read a state view
 * (docs/data-model.md#state-views-and-state-changes).
 *
 * @param snapshot the revision read: the head, a revision, or as of a transaction time
 * @param asOfEffectiveTime only for {@code effective} views: fold events effective at or before it
 * @param params the view's parameters, filling the selector's {@code {param}} placeholders
 */
public record StateViewRead(
    Snapshot snapshot, @Nullable Instant asOfEffectiveTime, Map<String, String> params) {
  public StateViewRead {
    Objects.requireNonNull(snapshot, "snapshot");
    params = Map.copyOf(params);
  }

  /** The latest state with these parameters. */
  public static StateViewRead latest(Map<String, String> params) {
    return new StateViewRead(Snapshot.head(), null, params);
  }

  /** The state at a revision with these parameters. */
  public static StateViewRead at(long revision, Map<String, String> params) {
    return new StateViewRead(Snapshot.atRevision(revision), null, params);
  }
}
