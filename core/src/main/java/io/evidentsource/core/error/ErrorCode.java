package io.evidentsource.core.error;

/**
 * Stable error codes. The {@link #code()} strings are part of the public API (REST problem details
 * {@code code}, gRPC {@code ErrorInfo.reason}) and never change once released.
 */
public enum ErrorCode {
  INVALID_DATABASE_NAME("invalid_database_name", "The database name is not a DNS label", false),
  DATABASE_NOT_FOUND("database_not_found", "No database of that name exists", false),
  DATABASE_EXISTS("database_exists", "A database of that name already exists", false),
  MALFORMED_JSON("malformed_json", "The request body is not well-formed JSON", false),
  MALFORMED_REQUEST("malformed_request", "The request does not have the expected shape", false),
  MISSING_ATTRIBUTE("missing_attribute", "A required CloudEvents attribute is missing", false),
  INVALID_ATTRIBUTE("invalid_attribute", "A CloudEvents attribute has an invalid value", false),
  UNSUPPORTED_SPECVERSION(
      "unsupported_specversion", "Only CloudEvents specversion 1.0 is supported", false),
  RESERVED_ATTRIBUTE(
      "reserved_attribute", "The attribute is set by the server and may not be sent", false),
  INVALID_EXTENSION_NAME(
      "invalid_extension_name",
      "Extension attribute names consist of lower-case letters a-z and digits 0-9",
      false),
  INVALID_TAG("invalid_tag", "A tag in the tags extension is invalid", false),
  EVENT_TOO_LARGE("event_too_large", "The event is larger than the event size limit", false),
  BATCH_TOO_LARGE("batch_too_large", "The transaction has more events than the batch limit", false),
  TRANSACTION_TOO_LARGE(
      "transaction_too_large",
      "The transaction's events together are larger than the storage's transaction size limit",
      false),
  ATTRIBUTE_TOO_LONG(
      "attribute_too_long", "An attribute value is longer than the attribute limit", false),
  EMPTY_TRANSACTION("empty_transaction", "A transaction needs at least one event", false),
  DUPLICATE_EVENT_ID(
      "duplicate_event_id", "An event with this id and source is already stored", false),
  CONDITION_FAILED("condition_failed", "An append condition did not hold", false),
  INVALID_SELECTOR("invalid_selector", "The event selector is invalid", false),
  SELECTOR_TOO_COMPLEX(
      "selector_too_complex",
      "The event selector is nested deeper or has more terms than the selector limits allow",
      false),
  INVALID_CONDITION("invalid_condition", "The append condition is invalid", false),
  INVALID_QUERY("invalid_query", "A query parameter is invalid", false),
  INVALID_PAGE_TOKEN(
      "invalid_page_token", "The page token is invalid or belongs to another query", false),
  REVISION_NOT_FOUND("revision_not_found", "No event exists at that revision", false),
  QUERY_TOO_EXPENSIVE(
      "query_too_expensive",
      "The query needs more index work than the per-request scan budget allows",
      false),
  QUERY_TIMEOUT(
      "query_timeout", "The query did not finish within the per-request time budget", true),
  QUERY_CANCELLED("query_cancelled", "The client cancelled the query or went away", false),
  UNSUPPORTED_MEDIA_TYPE(
      "unsupported_media_type", "The request content type is not supported here", false),
  NOT_ACCEPTABLE("not_acceptable", "None of the accepted media types can be produced", false),
  BODY_TOO_LARGE("body_too_large", "The request body is larger than the request size limit", false),
  REQUEST_LINE_TOO_LONG(
      "request_line_too_long",
      "The request line (path and query string) is longer than the request header size limit",
      false),
  HEADERS_TOO_LARGE(
      "headers_too_large",
      "The request line and headers together are larger than the request header size limit",
      false),
  CONTENTION_TIMEOUT(
      "contention_timeout",
      "Other writers kept moving the head until the request deadline passed",
      true),
  COMMIT_UNKNOWN(
      "commit_unknown",
      "The storage did not answer whether the transaction committed; retry with the same"
          + " transaction_id",
      true),
  NOT_FOUND("not_found", "No resource at this path", false),
  METHOD_NOT_ALLOWED("method_not_allowed", "The method is not allowed on this resource", false),
  SLOW_CONSUMER(
      "slow_consumer",
      "The subscriber read too slowly; its buffer stayed full and the subscription was ended",
      true),
  STORAGE_FULL(
      "storage_full",
      "The storage is full (the data directory's disk has no free space, or the memory profile's"
          + " evidentsource.memory.max-bytes is used up); reads work, writes are refused until"
          + " space is freed",
      false),
  TOO_MANY_SUBSCRIPTIONS(
      "too_many_subscriptions",
      "The server or the database already serves as many live tails as its limit allows",
      true),
  TOO_MANY_REQUESTS(
      "too_many_requests",
      "The database or the API key has as many requests in flight and waiting as allowed",
      true),
  INTERNAL("internal", "An unexpected error occurred on the server", true),
  STATE_VIEW_NOT_FOUND(
      "state_view_not_found", "No state view of that name (or version) is published", false),
  STATE_CHANGE_NOT_FOUND(
      "state_change_not_found", "No state change of that name (or version) is published", false),
  INVALID_COMPONENT(
      "invalid_component",
      "The WebAssembly module or its metadata does not meet the component ABI",
      false),
  COMPONENT_TOO_LARGE(
      "component_too_large", "The WebAssembly module is larger than the module size limit", false),
  COMPONENT_FAILED(
      "component_failed", "The component trapped or reported an error while running", false),
  COMPONENT_TIMEOUT(
      "component_timeout", "The component did not finish within the per-call deadline", false),
  COMPONENT_LIMIT_EXCEEDED(
      "component_limit_exceeded",
      "The component exceeded its memory or output limit while running",
      false),
  COMPONENT_MEMORY_BUSY(
      "component_memory_busy",
      "Running component calls hold the server's whole budget of WebAssembly memory; retry later",
      true),
  COMMAND_REJECTED("command_rejected", "The state change rejected the command", false),
  TRANSACTION_NOT_FOUND(
      "transaction_not_found", "No transaction with that id committed in the database", false),
  DATABASE_NOT_EMPTY(
      "database_not_empty", "A restore keeps revisions and needs an empty database", false),
  RESTORE_OUT_OF_ORDER(
      "restore_out_of_order",
      "Restored events need dense revisions from 1 and non-decreasing recorded times",
      false),
  UNAUTHENTICATED(
      "unauthenticated", "The request carries no API key, or one the server does not know", false),
  FORBIDDEN("forbidden", "The API key does not have the scope this request needs", false),
  FORBIDDEN_ORIGIN(
      "forbidden_origin",
      "Cross-origin state-changing requests and requests for unknown host names are refused",
      false),
  INDEX_SEGMENTS_DISABLED(
      "index_segments_disabled",
      "This server keeps no index segments (evidentsource.index.segments.enabled is false, or its"
          + " storage profile keeps none)",
      false);

  private final String code;
  private final String defaultMessage;
  private final boolean retriable;

  ErrorCode(String code, String defaultMessage, boolean retriable) {
    this.code = code;
    this.defaultMessage = defaultMessage;
    this.retriable = retriable;
  }

  /** The stable snake_case code, e.g. {@code condition_failed}. */
  public String code() {
    return code;
  }

  /** A one-line, human-readable summary used as the problem {@code title}. */
  public String defaultMessage() {
    return defaultMessage;
  }

  /** Whether the same request may succeed when retried unchanged. */
  public boolean retriable() {
    return retriable;
  }
}
