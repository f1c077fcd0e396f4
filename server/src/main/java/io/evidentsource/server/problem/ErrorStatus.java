package io.evidentsource.server.problem;

import io.evidentsource.core.error.ErrorCode;
import org.springframework.http.HttpStatus;

/** The one mapping from core error codes to HTTP statuses (docs/rest.md#errors). */
final class ErrorStatus {
  private ErrorStatus() {}

  static HttpStatus of(ErrorCode code) {
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
          INVALID_CONDITION,
          INVALID_QUERY,
          INVALID_PAGE_TOKEN,
          INVALID_COMPONENT,
          RESTORE_OUT_OF_ORDER ->
          HttpStatus.BAD_REQUEST;
      case EVENT_TOO_LARGE,
          BATCH_TOO_LARGE,
          TRANSACTION_TOO_LARGE,
          ATTRIBUTE_TOO_LONG,
          BODY_TOO_LARGE,
          COMPONENT_TOO_LARGE ->
          HttpStatus.CONTENT_TOO_LARGE;
      case DATABASE_NOT_FOUND,
          REVISION_NOT_FOUND,
          NOT_FOUND,
          STATE_VIEW_NOT_FOUND,
          STATE_CHANGE_NOT_FOUND,
          TRANSACTION_NOT_FOUND ->
          HttpStatus.NOT_FOUND;
      case DATABASE_EXISTS,
          DUPLICATE_EVENT_ID,
          CONDITION_FAILED,
          DATABASE_NOT_EMPTY,
          INDEX_SEGMENTS_DISABLED ->
          HttpStatus.CONFLICT;
      case REQUEST_LINE_TOO_LONG -> HttpStatus.URI_TOO_LONG;
      case HEADERS_TOO_LARGE -> HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      case UNSUPPORTED_MEDIA_TYPE -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
      case NOT_ACCEPTABLE -> HttpStatus.NOT_ACCEPTABLE;
      case METHOD_NOT_ALLOWED -> HttpStatus.METHOD_NOT_ALLOWED;
      case CONTENTION_TIMEOUT,
          COMMIT_UNKNOWN,
          SLOW_CONSUMER,
          QUERY_TIMEOUT,
          QUERY_CANCELLED,
          COMPONENT_MEMORY_BUSY ->
          HttpStatus.SERVICE_UNAVAILABLE;
      case COMMAND_REJECTED, SELECTOR_TOO_COMPLEX, QUERY_TOO_EXPENSIVE ->
          HttpStatus.UNPROCESSABLE_CONTENT;
      case STORAGE_FULL -> HttpStatus.INSUFFICIENT_STORAGE;
      case TOO_MANY_SUBSCRIPTIONS, TOO_MANY_REQUESTS -> HttpStatus.TOO_MANY_REQUESTS;
      case INTERNAL, COMPONENT_FAILED, COMPONENT_LIMIT_EXCEEDED -> HttpStatus.INTERNAL_SERVER_ERROR;
      case COMPONENT_TIMEOUT -> HttpStatus.GATEWAY_TIMEOUT;
      case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
      case FORBIDDEN, FORBIDDEN_ORIGIN -> HttpStatus.FORBIDDEN;
    };
  }

  /** The code for a status Spring or the servlet container chose on its own. */
  static ErrorCode codeFor(int status) {
    return switch (status) {
      case 401 -> ErrorCode.UNAUTHENTICATED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 406 -> ErrorCode.NOT_ACCEPTABLE;
      case 413 -> ErrorCode.BODY_TOO_LARGE;
      case 414 -> ErrorCode.REQUEST_LINE_TOO_LONG;
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 431 -> ErrorCode.HEADERS_TOO_LARGE;
      default -> status >= 400 && status < 500 ? ErrorCode.MALFORMED_REQUEST : ErrorCode.INTERNAL;
    };
  }
}
