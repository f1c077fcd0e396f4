package io.evidentsource.client;

import io.grpc.Status;
import java.util.Map;

/**
 * A failed call. {@link #code()} is the server's stable error code (the same as REST's problem
 * {@code code}, e.g. {@code condition_failed}); failures that never reached the service carry the
 * gRPC status name in lower case ({@code unavailable}, {@code deadline_exceeded}, {@code
 * cancelled}). Subclasses group the codes by what a caller does about them.
 */
public class EvidentSourceException extends RuntimeException {
  private final String code;
  private final Status.Code status;
  private final Map<String, String> metadata;
  private final String message;

  EvidentSourceException(
      String code,
      Status.Code status,
      String message,
      Map<String, String> metadata,
      Throwable cause) {
    super(message, cause);
    this.message = message;
    this.code = code;
    this.status = status;
    this.metadata = Map.copyOf(metadata);
  }

  /** The server's message, or the gRPC status name when it sent none (never null). */
  @Override
  public String getMessage() {
    return message;
  }

  /** The stable error code, e.g. {@code database_not_found}. */
  public String code() {
    return code;
  }

  /** The gRPC status code the server answered with. */
  public Status.Code status() {
    return status;
  }

  /** The error's fields (ErrorInfo metadata), e.g. {@code database}, {@code limit}. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Thrown for {@code NOT_FOUND}: {@code database_not_found}, {@code revision_not_found}. */
  public static final class NotFound extends EvidentSourceException {
    NotFound(String code, String message, Map<String, String> metadata, Throwable cause) {
      super(code, Status.Code.NOT_FOUND, message, metadata, cause);
    }
  }

  /** Thrown for {@code ALREADY_EXISTS}: {@code database_exists}, {@code duplicate_event_id}. */
  public static final class AlreadyExists extends EvidentSourceException {
    AlreadyExists(String code, String message, Map<String, String> metadata, Throwable cause) {
      super(code, Status.Code.ALREADY_EXISTS, message, metadata, cause);
    }
  }

  /**
   * Thrown when a state change rejected a command ({@code command_rejected}, FAILED_PRECONDITION):
   * the component's own {@code {code, message}}.
   */
  public static final class CommandRejected extends EvidentSourceException {
    CommandRejected(String message, Map<String, String> metadata, Throwable cause) {
      super("command_rejected", Status.Code.FAILED_PRECONDITION, message, metadata, cause);
    }

    /** The component's rejection code, e.g. {@code insufficient_funds}. */
    public String rejectionCode() {
      return metadata().getOrDefault("rejection_code", "");
    }

    /** The component's rejection message. */
    public String rejectionMessage() {
      return metadata().getOrDefault("rejection_message", getMessage());
    }
  }

  /** Thrown for {@code INVALID_ARGUMENT}: a malformed event, selector, condition or query. */
  public static final class InvalidRequest extends EvidentSourceException {
    InvalidRequest(String code, String message, Map<String, String> metadata, Throwable cause) {
      super(code, Status.Code.INVALID_ARGUMENT, message, metadata, cause);
    }
  }

  /**
   * Thrown for {@code RESOURCE_EXHAUSTED}: a limit ({@code event_too_large}, {@code
   * batch_too_large}, {@code attribute_too_long}, a message beyond the server's size limit) or a
   * subscriber cut off as {@code slow_consumer}.
   */
  public static final class LimitExceeded extends EvidentSourceException {
    LimitExceeded(String code, String message, Map<String, String> metadata, Throwable cause) {
      super(code, Status.Code.RESOURCE_EXHAUSTED, message, metadata, cause);
    }
  }

  /**
   * Thrown for {@code UNAVAILABLE}, {@code ABORTED} ({@code contention_timeout}) and {@code
   * DEADLINE_EXCEEDED} once the client's retries are used up.
   */
  public static final class Unavailable extends EvidentSourceException {
    Unavailable(
        String code,
        Status.Code status,
        String message,
        Map<String, String> metadata,
        Throwable cause) {
      super(code, status, message, metadata, cause);
    }
  }
}
