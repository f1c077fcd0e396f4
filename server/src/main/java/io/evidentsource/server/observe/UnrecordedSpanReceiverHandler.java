package io.evidentsource.server.observe;

import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;

/**
 * Micrometer Tracing's handler for received requests (a REST request, a gRPC call: the server span
 * continuing the caller's {@code traceparent}), which at the request's end only ends a span that is
 * not recorded. The span's tags and its final name (every key value of the observation, merged and
 * sorted, and the contextual name) would go nowhere: OpenTelemetry drops them on a span that is not
 * recording. With {@code evidentsource.observability.record-spans=when-exported} and no exporter
 * that is every request a client did not sample (docs/operations.md#traces); a recorded span is
 * ended as Micrometer Tracing does, with its tags and name.
 */
final class UnrecordedSpanReceiverHandler
    extends PropagatingReceiverTracingObservationHandler<ReceiverContext<?>> {

  UnrecordedSpanReceiverHandler(Tracer tracer, Propagator propagator) {
    super(tracer, propagator);
  }

  @Override
  public void onStop(ReceiverContext<?> context) {
    Span span = getRequiredSpan(context);
    if (span.isNoop()) {
      endSpan(context, span);
    } else {
      super.onStop(context);
    }
  }
}
