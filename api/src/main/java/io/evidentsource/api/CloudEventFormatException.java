package io.evidentsource.api;

import java.util.Objects;

/**
 * A CloudEvent message that does not follow the CloudEvents protobuf format as this API uses it,
 * naming the attribute at fault. The server reports it with the stable error code of its {@link
 * #reason()}.
 */
public final class CloudEventFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** What is wrong, one to one with an error code of the API. */
  public enum Reason {
    /** A required attribute ({@code id}, {@code source}, {@code type}) is missing or empty. */
    MISSING_ATTRIBUTE,
    /** An attribute has the wrong type or value. */
    INVALID_ATTRIBUTE,
    /** The {@code spec_version} is neither empty nor {@code 1.0}. */
    UNSUPPORTED_SPECVERSION
  }

  private final Reason reason;
  private final String attribute;

  /**
   * @param attribute the attribute at fault, e.g. {@code time}, or the message field ({@code
   *     spec_version} is reported as {@code specversion}, {@code proto_data} as itself)
   */
  public CloudEventFormatException(Reason reason, String attribute, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.attribute = Objects.requireNonNull(attribute, "attribute");
  }

  public Reason reason() {
    return reason;
  }

  public String attribute() {
    return attribute;
  }
}
