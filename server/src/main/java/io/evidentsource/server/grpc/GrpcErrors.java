package io.evidentsource.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.server.request.FatalErrors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from core error codes to gRPC status (docs/grpc.md, docs/rest.md#errors): a
 * standard status code, the detail message, and a {@code google.rpc.ErrorInfo} whose {@code reason}
 * is the stable REST {@code code} and whose metadata holds the error's fields; {@code
 * condition_failed} adds a {@code evidentsource.v1.FailedConditions} detail.
 */
final class GrpcErrors {
  /** {@code ErrorInfo.domain} of every EvidentSource error. */
  static final String DOMAIN = "evidentsource.io";

  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static Status.Code statusOf(ErrorCode code) {
    return switch (code) {
      case INVALID_DATABASE_NAME,
          MALFORMED_JSON,
          MALFORMED_REQUEST,
          MISSING_ATTRIBUTE,
          INVALID_ATTRIBUTE,
          UNSUPPORTED_SPECVERSION,
          RESERVED_ATTRIBUTE,
          INVALID_EXTENSION_NAME,
          INVALID_TAG,
          EMPTY_TRANSACTION,
          INVALID_SELECTOR,
          SELECTOR_TOO_COMPLEX,
          INVALID_CONDITION,
          INVALID_QUERY,
          INVALID_PAGE_TOKEN,
          UNSUPPORTED_MEDIA_TYPE,
          NOT_ACCEPTABLE,
          INVALID_COMPONENT,
          RESTORE_OUT_OF_ORDER ->
          Status.Code.INVALID_ARGUMENT;
      case EVENT_TOO_LARGE,
          BATCH_TOO_LARGE,
          TRANSACTION_TOO_LARGE,
          ATTRIBUTE_TOO_LONG,
          BODY_TOO_LARGE,
          REQUEST_LINE_TOO_LONG,
          HEADERS_TOO_LARGE,
          SLOW_CONSUMER,
          STORAGE_FULL,
          TOO_MANY_SUBSCRIPTIONS,
          TOO_MANY_REQUESTS,
          COMPONENT_TOO_LARGE,
          COMPONENT_LIMIT_EXCEEDED,
          COMPONENT_MEMORY_BUSY,
          QUERY_TOO_EXPENSIVE ->
          Status.Code.RESOURCE_EXHAUSTED;
      case QUERY_TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
      case QUERY_CANCELLED -> Status.Code.CANCELLED;
      case DATABASE_NOT_FOUND,
          REVISION_NOT_FOUND,
          NOT_FOUND,
          STATE_VIEW_NOT_FOUND,
          STATE_CHANGE_NOT_FOUND,
          TRANSACTION_NOT_FOUND ->
          Status.Code.NOT_FOUND;
      case DATABASE_EXISTS, DUPLICATE_EVENT_ID -> Status.Code.ALREADY_EXISTS;
      case CONDITION_FAILED, COMMAND_REJECTED, DATABASE_NOT_EMPTY, INDEX_SEGMENTS_DISABLED ->
          Status.Code.FAILED_PRECONDITION;
      case COMPONENT_TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
      case COMPONENT_FAILED -> Status.Code.INTERNAL;
      case METHOD_NOT_ALLOWED -> Status.Code.UNIMPLEMENTED;
      case CONTENTION_TIMEOUT -> Status.Code.ABORTED;
      case COMMIT_UNKNOWN -> Status.Code.UNAVAILABLE;
      case INTERNAL -> Status.Code.INTERNAL;
      case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
      case FORBIDDEN, FORBIDDEN_ORIGIN -> Status.Code.PERMISSION_DENIED;
    };
  }

  /** The statuses of failures on the server's side (REST answers them with a 5xx). */
  private static final Set<Status.Code> SERVER_FAILURES =
      EnumSet.of(
          Status.Code.INTERNAL,
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.ABORTED,
          Status.Code.UNKNOWN);

  /** The status to close a call with for any failure; unexpected ones are logged, not shown. */
  static StatusRuntimeException toStatus(Throwable failure) {
    if (failure instanceof StatusRuntimeException status) {
      return status;
    }
    FatalErrors.haltIfOutOfMemory(failure);
    EvidentSourceException error;
    if (failure instanceof EvidentSourceException known) {
      error = known;
    } else {
      LOG.error("unexpected failure in a gRPC call", failure);
      error = new EvidentSourceException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.defaultMessage());
    }
    Status.Code statusCode = statusOf(error.code());
    if (SERVER_FAILURES.contains(statusCode)) {
      // every server-side failure is logged with its code (docs/operations.md#logs)
      LOG.atWarn()
          .addKeyValue("code", error.code().code())
          .addKeyValue("grpc_status", statusCode.name())
          .log("gRPC call answered {} {}: {}", statusCode, error.code().code(), error.getMessage());
    }
    var info = ErrorInfo.newBuilder().setReason(error.code().code()).setDomain(DOMAIN);
    for (Map.Entry<String, Object> field : error.fields().entrySet()) {
      info.putMetadata(field.getKey(), String.valueOf(field.getValue()));
    }
    var status =
        com.google.rpc.Status.newBuilder()
            .setCode(statusOf(error.code()).value())
            .setMessage(
                error.getMessage() == null ? error.code().defaultMessage() : error.getMessage())
            .addDetails(Any.pack(info.build()));
    if (error instanceof ConditionFailedException failed) {
      status.addDetails(Any.pack(SelectorMapping.failedConditions(failed)));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }
}
