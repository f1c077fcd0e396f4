package io.evidentsource.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import java.util.List;

/**
 * Fuzzes the CloudEvents JSON reader (docs/reliability.md): any bytes, as one event or as a batch,
 * either read into events that print and read back the same, or are refused with a client error
 * code; never {@code internal}, never another exception.
 */
class CloudEventJsonFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void reads_or_refuses_with_a_client_error(byte[] input) {
    try {
      Event event = CloudEventJson.readEvent(input);
      assertThat(CloudEventJson.readEvent(CloudEventJson.toJsonBytes(event))).isEqualTo(event);
    } catch (EvidentSourceException e) {
      assertThat(e.code()).isNotEqualTo(ErrorCode.INTERNAL);
    }
    try {
      List<Event> batch = CloudEventJson.readBatch(input);
      assertThat(batch).doesNotContainNull();
    } catch (EvidentSourceException e) {
      assertThat(e.code()).isNotEqualTo(ErrorCode.INTERNAL);
    }
  }
}
