package io.evidentsource.server.problem;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.error.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every error code has its documented HTTP status. */
class ErrorStatusTest {
  @Test
  void maps_every_code_to_the_documented_status() {
    var expected = new EnumMap<ErrorCode, Integer>(ErrorCode.class);
    for (ErrorCode c : ErrorCode.values()) {
      String code = c.code();
      if (code.startsWith("invalid_") || code.startsWith("malformed_")) {
        expected.put(c, 400);
      }
    }
    expected.putAll(
        Map.ofEntries(
            Map.entry(ErrorCode.MISSING_ATTRIBUTE, 400),
            Map.entry(ErrorCode.UNSUPPORTED_SPECVERSION, 400),
            Map.entry(ErrorCode.RESERVED_ATTRIBUTE, 400),
            Map.entry(ErrorCode.EMPTY_TRANSACTION, 400),
            Map.entry(ErrorCode.EVENT_TOO_LARGE, 413),
            Map.entry(ErrorCode.BATCH_TOO_LARGE, 413),
            Map.entry(ErrorCode.TRANSACTION_TOO_LARGE, 413),
            Map.entry(ErrorCode.ATTRIBUTE_TOO_LONG, 413),
            Map.entry(ErrorCode.BODY_TOO_LARGE, 413),
            Map.entry(ErrorCode.REQUEST_LINE_TOO_LONG, 414),
            Map.entry(ErrorCode.HEADERS_TOO_LARGE, 431),
            Map.entry(ErrorCode.DATABASE_NOT_FOUND, 404),
            Map.entry(ErrorCode.REVISION_NOT_FOUND, 404),
            Map.entry(ErrorCode.NOT_FOUND, 404),
            Map.entry(ErrorCode.DATABASE_EXISTS, 409),
            Map.entry(ErrorCode.DUPLICATE_EVENT_ID, 409),
            Map.entry(ErrorCode.CONDITION_FAILED, 409),
            Map.entry(ErrorCode.INDEX_SEGMENTS_DISABLED, 409),
            Map.entry(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415),
            Map.entry(ErrorCode.NOT_ACCEPTABLE, 406),
            Map.entry(ErrorCode.METHOD_NOT_ALLOWED, 405),
            Map.entry(ErrorCode.CONTENTION_TIMEOUT, 503),
            Map.entry(ErrorCode.COMMIT_UNKNOWN, 503),
            Map.entry(ErrorCode.SLOW_CONSUMER, 503),
            Map.entry(ErrorCode.INTERNAL, 500),
            Map.entry(ErrorCode.STORAGE_FULL, 507),
            Map.entry(ErrorCode.TOO_MANY_SUBSCRIPTIONS, 429),
            Map.entry(ErrorCode.TOO_MANY_REQUESTS, 429),
            Map.entry(ErrorCode.STATE_VIEW_NOT_FOUND, 404),
            Map.entry(ErrorCode.STATE_CHANGE_NOT_FOUND, 404),
            Map.entry(ErrorCode.COMPONENT_TOO_LARGE, 413),
            Map.entry(ErrorCode.COMPONENT_FAILED, 500),
            Map.entry(ErrorCode.COMPONENT_LIMIT_EXCEEDED, 500),
            Map.entry(ErrorCode.COMPONENT_MEMORY_BUSY, 503),
            Map.entry(ErrorCode.QUERY_TOO_EXPENSIVE, 422),
            Map.entry(ErrorCode.SELECTOR_TOO_COMPLEX, 422),
            Map.entry(ErrorCode.QUERY_TIMEOUT, 503),
            Map.entry(ErrorCode.QUERY_CANCELLED, 503),
            Map.entry(ErrorCode.COMPONENT_TIMEOUT, 504),
            Map.entry(ErrorCode.COMMAND_REJECTED, 422),
            Map.entry(ErrorCode.TRANSACTION_NOT_FOUND, 404),
            Map.entry(ErrorCode.DATABASE_NOT_EMPTY, 409),
            Map.entry(ErrorCode.RESTORE_OUT_OF_ORDER, 400),
            Map.entry(ErrorCode.UNAUTHENTICATED, 401),
            Map.entry(ErrorCode.FORBIDDEN, 403),
            Map.entry(ErrorCode.FORBIDDEN_ORIGIN, 403)));
    assertThat(expected.keySet()).containsExactlyInAnyOrder(ErrorCode.values());
    expected.forEach(
        (code, status) ->
            assertThat(ErrorStatus.of(code).value()).as(code.code()).isEqualTo(status));
  }
}
