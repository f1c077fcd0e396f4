package io.evidentsource.core.component;

import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.CallOutcome;
import io.evidentsource.core.observe.ComponentCall;
import io.evidentsource.core.observe.ComponentCallReport;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.observe.EventStoreObserver.Step;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ComponentRuntime} that reports every {@code evolve} and {@code decide} call to an {@link
 * EventStoreObserver}: a {@link Step#COMPONENT_CALL} scope around it and a {@link
 * ComponentCallReport} with its outcome and duration. A decide that returns a rejection reports
 * {@link CallOutcome#REJECTED}. Validation and loading are passed through unreported (publishing
 * reports {@link EventStoreObserver#componentPublished}).
 */
public final class ObservedComponentRuntime implements ComponentRuntime {
  private final ComponentRuntime runtime;
  private final EventStoreObserver observer;

  /**
   * @param runtime the runtime that runs the calls
   * @param observer where the calls are reported
   */
  public ObservedComponentRuntime(ComponentRuntime runtime, EventStoreObserver observer) {
    this.runtime = runtime;
    this.observer = observer;
  }

  @Override
  public void validate(ComponentKind<?> kind, byte[] module) {
    runtime.validate(kind, module);
  }

  @Override
  public void load(ComponentId id, byte[] module) {
    runtime.load(id, module);
  }

  @Override
  public boolean isLoaded(ComponentId id) {
    return runtime.isLoaded(id);
  }

  @Override
  public void unload(DatabaseName database) {
    runtime.unload(database);
  }

  @Override
  public int evolveBatchSize() {
    return runtime.evolveBatchSize();
  }

  @Override
  public byte[] evolve(
      ComponentId id,
      byte[] state,
      List<StoredEvent> events,
      Map<String, String> params,
      Instant basisTime) {
    long start = System.nanoTime();
    try (var scope = observer.open(Step.COMPONENT_CALL, id.database())) {
      try {
        byte[] result = runtime.evolve(id, state, events, params, basisTime);
        report(id, ComponentCall.EVOLVE, CallOutcome.OK, start, null);
        return result;
      } catch (RuntimeException e) {
        scope.failed(e);
        report(id, ComponentCall.EVOLVE, CallOutcome.of(e), start, e);
        throw e;
      }
    }
  }

  @Override
  public DecideResult decide(
      ComponentId id, Command command, DecideMetadata metadata, ViewReader views) {
    long start = System.nanoTime();
    try (var scope = observer.open(Step.COMPONENT_CALL, id.database())) {
      try {
        DecideResult result = runtime.decide(id, command, metadata, views);
        CallOutcome outcome = result.match(d -> CallOutcome.OK, r -> CallOutcome.REJECTED);
        report(id, ComponentCall.DECIDE, outcome, start, null);
        return result;
      } catch (RuntimeException e) {
        scope.failed(e);
        report(id, ComponentCall.DECIDE, CallOutcome.of(e), start, e);
        throw e;
      }
    }
  }

  private void report(
      ComponentId id,
      ComponentCall call,
      CallOutcome outcome,
      long start,
      @Nullable RuntimeException error) {
    var code = error instanceof EvidentSourceException e ? e.code() : null;
    observer.componentCallEnded(
        new ComponentCallReport(
            id,
            call,
            outcome,
            System.nanoTime() - start,
            code,
            error == null ? null : error.getMessage()));
  }
}
