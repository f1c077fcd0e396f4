package io.evidentsource.storage.dynamodb;

import java.io.IOException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * Tells a failed write whose effect is unknown from one that certainly wrote nothing
 * (docs/dynamodb.md#outcomes). A request may have reached DynamoDB and committed when its attempt
 * timed out, its connection broke before the answer ({@link IOException} anywhere in the causes),
 * the calling thread was interrupted mid-call, or DynamoDB answered with a server error (5xx, which
 * DynamoDB documents as "the transaction may or may not have succeeded"), or another request with
 * the same transaction was still in progress. The SDK keeps each earlier attempt's failure as a
 * suppressed exception of the last one, so an ambiguous earlier attempt makes the whole call
 * ambiguous even when the last attempt was refused outright (throttled, for example).
 */
final class Outcomes {
  private Outcomes() {}

  /** Whether the write that failed with {@code failure} may have been applied. */
  static boolean ambiguous(Throwable failure) {
    return ambiguous(failure, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static boolean ambiguous(Throwable t, Set<Throwable> seen) {
    if (!seen.add(t)) {
      return false;
    }
    if (t instanceof IOException
        || t instanceof ApiCallAttemptTimeoutException
        || t instanceof ApiCallTimeoutException
        || t instanceof AbortedException) {
      return true;
    }
    if (t instanceof AwsServiceException service
        && (service.statusCode() >= 500
            || "TransactionInProgressException".equals(errorCode(service)))) {
      return true;
    }
    for (Throwable suppressed : t.getSuppressed()) {
      if (ambiguous(suppressed, seen)) {
        return true;
      }
    }
    Throwable cause = t.getCause();
    return cause != null && ambiguous(cause, seen);
  }

  private static String errorCode(AwsServiceException e) {
    return e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
  }
}
