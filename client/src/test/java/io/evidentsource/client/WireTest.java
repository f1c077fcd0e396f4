package io.evidentsource.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.evidentsource.api.ProtoCloudEvents;
import io.evidentsource.api.v1.FailedCondition;
import io.evidentsource.api.v1.FailedConditions;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The client's private wire mapping, without a server (the server module runs the client end to
 * end).
 */
class WireTest {

  @Test
  void an_event_round_trips_through_the_cloudevents_protobuf_format_with_its_exact_time_text() {
    var event =
        Event.builder()
            .id("e1")
            .source("https://example.com/s")
            .type("t")
            .subject("order-1")
            .time("2024-05-01T12:00:00.50+02:00")
            .tags("a", "b")
            .extension("priority", 3)
            .jsonData("{\"x\":1}")
            .build();
    var proto = Wire.cloudEvent(event);
    assertThat(proto.getTextData()).isEqualTo("{\"x\":1}");
    var stored =
        io.evidentsource.api.v1.StoredEvent.newBuilder()
            .setEvent(proto)
            .setRevision(7)
            .setRecordedTime(ProtoCloudEvents.timestamp(Instant.parse("2024-05-01T10:00:01Z")))
            .build();
    var back = Wire.stored(stored);
    assertThat(back.revision()).isEqualTo(7);
    assertThat(back.event().time()).isEqualTo("2024-05-01T12:00:00.50+02:00");
    assertThat(back.event().extensions()).containsEntry("tags", "a,b").containsEntry("priority", 3);
    assertThat(back.event().dataText()).isEqualTo("{\"x\":1}");
    assertThat(back.event().subject()).isEqualTo("order-1");
  }

  @Test
  void binary_data_travels_as_bytes() {
    var event =
        Event.builder()
            .id("b")
            .source("s")
            .type("t")
            .data("application/octet-stream", new byte[] {1, 2})
            .build();
    assertThat(Wire.cloudEvent(event).getBinaryData().toByteArray()).containsExactly(1, 2);
    var text =
        Event.builder()
            .id("t")
            .source("s")
            .type("t")
            .data("text/plain", "hi".getBytes(StandardCharsets.UTF_8))
            .build();
    assertThat(Wire.cloudEvent(text).getTextData()).isEqualTo("hi");
  }

  @Test
  void a_failed_precondition_with_details_becomes_a_condition_failed_exception() {
    var condition = Condition.max(Selector.and(Selector.subject("o1"), Selector.tag("x")), 3);
    var status =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.FAILED_PRECONDITION.value())
            .setMessage("1 of the transaction's append conditions failed")
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason("condition_failed")
                        .putMetadata("database", "d")
                        .build()))
            .addDetails(
                Any.pack(
                    FailedConditions.newBuilder()
                        .setHeadRevision(9)
                        .addFailedConditions(
                            FailedCondition.newBuilder()
                                .setCondition(Wire.condition(condition))
                                .setActualRevision(8))
                        .build()))
            .build();
    var error = Wire.error(StatusProto.toStatusRuntimeException(status));
    assertThat(error).isInstanceOf(ConditionFailedException.class);
    var failed = (ConditionFailedException) error;
    assertThat(failed.code()).isEqualTo("condition_failed");
    assertThat(failed.headRevision()).isEqualTo(9);
    assertThat(failed.failures()).containsExactly(new Condition.Failed(condition, 8));
    assertThat(failed.metadata()).containsEntry("database", "d");
  }

  @Test
  void statuses_map_to_typed_exceptions_with_the_stable_code() {
    assertThat(Wire.error(withReason(Status.Code.NOT_FOUND, "database_not_found")))
        .isInstanceOf(EvidentSourceException.NotFound.class)
        .extracting(EvidentSourceException::code)
        .isEqualTo("database_not_found");
    assertThat(Wire.error(withReason(Status.Code.ALREADY_EXISTS, "database_exists")))
        .isInstanceOf(EvidentSourceException.AlreadyExists.class);
    assertThat(Wire.error(withReason(Status.Code.INVALID_ARGUMENT, "invalid_selector")))
        .isInstanceOf(EvidentSourceException.InvalidRequest.class);
    assertThat(Wire.error(withReason(Status.Code.RESOURCE_EXHAUSTED, "slow_consumer")))
        .isInstanceOf(EvidentSourceException.LimitExceeded.class);
    var unavailable = Wire.error(Status.UNAVAILABLE.asRuntimeException());
    assertThat(unavailable).isInstanceOf(EvidentSourceException.Unavailable.class);
    assertThat(unavailable.code()).isEqualTo("unavailable");
    assertThat(Wire.retriable(Status.UNAVAILABLE.asRuntimeException())).isTrue();
    assertThat(Wire.retriable(Status.ABORTED.asRuntimeException())).isTrue();
    assertThat(Wire.retriable(Status.INVALID_ARGUMENT.asRuntimeException())).isFalse();
  }

  private static io.grpc.StatusRuntimeException withReason(Status.Code code, String reason) {
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(reason)
            .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).build()))
            .build());
  }
}
