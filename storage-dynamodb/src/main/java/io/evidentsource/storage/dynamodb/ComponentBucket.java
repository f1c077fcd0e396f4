package io.evidentsource.storage.dynamodb;

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
   * @param property the configuration property that names the bucket, for error messages
   * @throws IllegalStateException naming the property and the bucket when the name is not a valid
   *     bucket name, the bucket is missing (and {@code create} is off) or not accessible
   */
  public static void ensure(S3Client s3, String bucket, boolean create, String property) {
    if (bucket == null || !NAME.matcher(bucket).matches()) {
      throw new IllegalStateException(
          property
              + " must name an S3 bucket (3-63 characters of a-z, 0-9, '.', '-'), was '"
              + bucket
              + "'");
    }
    try {
      s3.headBucket(b -> b.bucket(bucket));
      return;
    } catch (NoSuchBucketException e) {
      if (!create) {
        throw new IllegalStateException(
            "S3 bucket '"
                + bucket
                + "' ("
                + property
                + ") is missing (create it, or turn create-tables on)",
            e);
      }
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw new IllegalStateException(
            "S3 bucket '" + bucket + "' (" + property + ") is not accessible: " + e.getMessage(),
            e);
      }
      if (!create) {
        throw new IllegalStateException(
            "S3 bucket '"
                + bucket
                + "' ("
                + property
                + ") is missing (create it, or turn create-tables on)",
            e);
      }
    }
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException e) {
      // another instance created it meanwhile
    }
    s3.waiter().waitUntilBucketExists(b -> b.bucket(bucket));
  }
}
