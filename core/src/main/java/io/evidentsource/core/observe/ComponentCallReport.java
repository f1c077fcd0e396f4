package io.evidentsource.core.observe;

import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.error.ErrorCode;
import org.jspecify.annotations.Nullable;

/**
 * One ended call into a WebAssembly component.
 *
 * @param component the component version called (database, kind, name, version)
 * @param call which export
 * @param outcome how it ended
 * @param nanos how long the call took, in nanoseconds
 * @param error the error code when it threw, else null
 * @param message the error's message (the guest's own for {@code component_failed}), else null
 */
public record ComponentCallReport(
    ComponentId component,
    ComponentCall call,
    CallOutcome outcome,
    long nanos,
    @Nullable ErrorCode error,
    @Nullable String message) {}
