package io.evidentsource.storage.dynamodb;

import java.util.List;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The S3 bucket that holds component modules (ADR 0007): checked, or created when missing, at
 * startup as {@link DynamoDbSchema#ensure} does for the tables.
 */
public final class ComponentBucket {
  /** S3's bucket naming rule: 3-63 characters of a-z, 0-9, '.', '-', alphanumeric at both ends. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private ComponentBucket() {}

  /**
   * Makes sure the bucket exists: creates it when missing and {@code create}, else fails.
   *
   * @throws DynamoDbSetupException naming the bucket when its name is not a valid bucket name, it
   *     is missing (and {@code create} is off) or not accessible
   */
  public static void ensure(S3Client s3, String bucket, boolean create) {
    if (bucket == null || !NAME.matcher(bucket).matches()) {
      throw new DynamoDbSetupException(
          DynamoDbSetupException.Problem.BUCKET_NAME,
          List.of(
              "'" + bucket + "' is not an S3 bucket name (3-63 characters of a-z, 0-9, '.', '-')"),
          false);
    }
    try {
      s3.headBucket(b -> b.bucket(bucket));
      return;
    } catch (NoSuchBucketException e) {
      if (!create) {
        throw missing(bucket, e);
      }
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw new DynamoDbSetupException(
            DynamoDbSetupException.Problem.BUCKET_NOT_ACCESSIBLE,
            List.of("S3 bucket '" + bucket + "' is not accessible: " + e.getMessage()),
            false,
            e);
      }
      if (!create) {
        throw missing(bucket, e);
      }
    }
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException e) {
      // another instance created it meanwhile
    }
    s3.waiter().waitUntilBucketExists(b -> b.bucket(bucket));
  }

  private static DynamoDbSetupException missing(String bucket, Exception cause) {
    return new DynamoDbSetupException(
        DynamoDbSetupException.Problem.BUCKET_MISSING,
        List.of("S3 bucket '" + bucket + "' is missing"),
        true,
        cause);
  }
}
