package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The port a WebAssembly host implements (docs/wasm-abi.md, ADR 0005): validates modules against
 * the component ABI, keeps them ready per {@link ComponentId} and runs {@code evolve} and {@code
 * decide} under the sandbox limits. Implementations are thread-safe; a failing call never affects
 * other calls.
 *
 * <p>Every method may throw {@link io.evidentsource.core.error.EvidentSourceException} with {@code
 * INVALID_COMPONENT} or {@code COMPONENT_TOO_LARGE} (publish), {@code COMPONENT_FAILED} (trap or
 * guest-reported error, with the guest's message), {@code COMPONENT_TIMEOUT} (deadline) or {@code
 * COMPONENT_LIMIT_EXCEEDED} (memory or output cap).
 */
public interface ComponentRuntime {

  /** Checks a module against the ABI and the limits for this kind, without keeping it. */
  void validate(ComponentKind<?> kind, byte[] module);

  /** Validates, compiles and keeps a module under {@code id}; loading an id twice is a no-op. */
  void load(ComponentId id, byte[] module);

  /** Whether {@code id} is loaded. */
  boolean isLoaded(ComponentId id);

  /**
   * Lets go of every module loaded for {@code database} (all its generations) and of their idle
   * instances, after the database was deleted: nothing calls them again, and a database created
   * again under the name publishes its own. Calls running at the time finish normally; their
   * instances are then dropped instead of pooled. A runtime that keeps nothing per module need not
   * do anything.
   */
  default void unload(DatabaseName database) {}

  /** The most events the host wants in one {@link #evolve} call. */
  int evolveBatchSize();

  /**
   * Folds events into state: one or more calls of the guest's {@code evidentsource_evolve}.
   *
   * @param state the previous state bytes (empty = the initial state)
   * @param events the events to fold, in folding order
   * @param params the view's read parameters
   * @param basisTime what the guest's WASI clock reads
   * @return the new state bytes
   */
  byte[] evolve(
      ComponentId id,
      byte[] state,
      List<StoredEvent> events,
      Map<String, String> params,
      Instant basisTime);

  /**
   * Runs the guest's {@code evidentsource_decide}.
   *
   * @param views what the guest's {@code view_state} import reads, at the basis revision
   */
  DecideResult decide(ComponentId id, Command command, DecideMetadata metadata, ViewReader views);

  /** Reads state views for a running {@code decide}. */
  @FunctionalInterface
  interface ViewReader {
    /**
     * The latest version of view {@code name} with {@code params} at the decision's basis revision.
     *
     * @throws io.evidentsource.core.error.EvidentSourceException {@code STATE_VIEW_NOT_FOUND}
     */
    StateViewResult read(String name, Map<String, String> params);
  }
}
