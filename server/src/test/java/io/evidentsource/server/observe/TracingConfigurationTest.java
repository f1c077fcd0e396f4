package io.evidentsource.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.observe.ObservabilityProperties.RecordSpans;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When new traces are recorded ({@link TracingConfiguration#sampler}). */
class TracingConfigurationTest {
  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  @Test
  void new_traces_are_sampled_with_the_probability_when_an_exporter_receives_them() {
    assertThat(root(TracingConfiguration.sampler(1.0, RecordSpans.WHEN_EXPORTED, true)))
        .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    assertThat(root(TracingConfiguration.sampler(0.0, RecordSpans.WHEN_EXPORTED, true)))
        .isEqualTo(SamplingDecision.DROP);
  }

  @Test
  void new_traces_are_not_recorded_when_nothing_receives_them() {
    assertThat(root(TracingConfiguration.sampler(1.0, RecordSpans.WHEN_EXPORTED, false)))
        .isEqualTo(SamplingDecision.DROP);
  }

  @Test
  void always_samples_new_traces_with_the_probability_even_without_an_exporter() {
    assertThat(root(TracingConfiguration.sampler(1.0, RecordSpans.ALWAYS, false)))
        .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
  }

  private static SamplingDecision root(Sampler sampler) {
    return sampler
        .shouldSample(
            Context.root(), TRACE_ID, "span", SpanKind.SERVER, Attributes.empty(), List.of())
        .getDecision();
  }
}
