package io.evidentsource.storage.dynamodb;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The DynamoDB tables or the S3 bucket are not as {@link DynamoDbStorage} needs them, found at
 * start. It names each resource and says what is wrong in the adapter's own terms; whoever
 * configured the storage (the server) knows its settings' names and can say which one to change.
 */
public final class DynamoDbSetupException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Problem {
    /** Tables are missing (and creating them was off) or have other keys. */
    TABLES,
    /** The bucket name is not a valid S3 bucket name. */
    BUCKET_NAME,
    /** The bucket does not exist and creating it was off. */
    BUCKET_MISSING,
    /** The bucket exists but this account cannot use it. */
    BUCKET_NOT_ACCESSIBLE
  }

  private final Problem problem;
  private final List<String> details;
  private final boolean fixedByCreating;

  /**
   * @param problem what is wrong
   * @param details one line per resource, each naming it ("table 'p-events' is missing")
   * @param fixedByCreating true when building the storage with {@code createMissing(true)} would
   *     create what is missing
   */
  DynamoDbSetupException(
      Problem problem, List<String> details, boolean fixedByCreating, @Nullable Throwable cause) {
    super(message(problem, details, fixedByCreating), cause);
    this.problem = Objects.requireNonNull(problem, "problem");
    this.details = List.copyOf(details);
    this.fixedByCreating = fixedByCreating;
  }

  DynamoDbSetupException(Problem problem, List<String> details, boolean fixedByCreating) {
    this(problem, details, fixedByCreating, null);
  }

  private static String message(Problem problem, List<String> details, boolean fixedByCreating) {
    boolean tables = problem == Problem.TABLES;
    return (tables ? "DynamoDB tables not as expected: " : "S3 components bucket: ")
        + String.join("; ", details)
        + (fixedByCreating
            ? " (create "
                + (tables ? "them" : "it")
                + ", or let the storage create what is missing)"
            : "");
  }

  /** What is wrong. */
  public Problem problem() {
    return problem;
  }

  /** One line per resource, naming it and what is wrong with it. */
  public List<String> details() {
    return details;
  }

  /** True when letting the storage create missing resources at start would fix it. */
  public boolean fixedByCreating() {
    return fixedByCreating;
  }
}
