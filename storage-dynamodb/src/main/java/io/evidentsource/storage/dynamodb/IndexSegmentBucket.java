package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.port.IndexSegmentStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Index segments too large for one DynamoDB transaction, kept as S3 objects (ADR 0011,
 * docs/dynamodb.md#index-segments) in the bucket that also holds component modules and large event
 * data. A segment's object key is derived from its identity and its bytes: {@code
 * {table-prefix}/index/{database}/{generation}/{first revision}-{sha256 of the bytes}}, so racing
 * sealers of one range (which encode the same log to the same bytes) write the same object, and an
 * object is never overwritten with other bytes. The {@code -indexes} table keeps a pointer item
 * naming the object; {@link DatabasePurger} removes a deleted generation's objects by their common
 * prefix.
 */
public final class IndexSegmentBucket {
  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  /**
   * @param s3 the S3 client (not closed by this object)
   * @param bucket the bucket (the components bucket)
   * @param tablePrefix the table prefix; keys start with {@code {tablePrefix}/index/}
   */
  public IndexSegmentBucket(S3Client s3, String bucket, String tablePrefix) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.prefix = Objects.requireNonNull(tablePrefix, "tablePrefix") + "/index/";
  }

  /** The bucket's name. */
  String bucket() {
    return bucket;
  }

  /** The common prefix of every object of a database generation, ending in a slash. */
  String generationPrefix(String database, long generation) {
    return prefix + database + "/" + generation + "/";
  }

  /** The object key of the segment {@code key} whose bytes have this SHA-256. */
  String key(IndexSegmentStore.Key key, String sha256) {
    return generationPrefix(key.database().value(), key.generation())
        + key.firstRevision()
        + "-"
        + sha256;
  }

  /** The lowercase hex SHA-256 of {@code bytes}. */
  static String sha256(byte[] bytes) {
    return ModuleDigest.sha256Hex(bytes);
  }

  /**
   * Writes {@code bytes} under {@code objectKey}.
   *
   * @throws EvidentSourceException {@code INTERNAL} when S3 did not take it
   */
  void put(String objectKey, byte[] bytes) {
    try {
      s3.putObject(b -> b.bucket(bucket).key(objectKey), RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw failure("PutObject", objectKey, e);
    }
  }

  /**
   * The bytes under {@code objectKey}, or empty when there is no such object.
   *
   * @throws EvidentSourceException {@code INTERNAL} when S3 fails otherwise
   */
  Optional<byte[]> get(String objectKey) {
    try {
      return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(objectKey)).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw failure("GetObject", objectKey, e);
    }
  }

  /** Up to {@code max} keys of the objects under {@code keyPrefix}, in key order. */
  List<String> list(String keyPrefix, int max) {
    try {
      return s3
          .listObjectsV2(b -> b.bucket(bucket).prefix(keyPrefix).maxKeys(max))
          .contents()
          .stream()
          .map(S3Object::key)
          .toList();
    } catch (SdkException e) {
      throw failure("ListObjectsV2", keyPrefix, e);
    }
  }

  /** Deletes the object {@code objectKey} (nothing when it is gone already). */
  void delete(String objectKey) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(objectKey));
    } catch (SdkException e) {
      throw failure("DeleteObject", objectKey, e);
    }
  }

  private EvidentSourceException failure(String operation, String objectKey, SdkException e) {
    return new EvidentSourceException(
        ErrorCode.INTERNAL,
        "S3 "
            + operation
            + " of index segment object "
            + bucket
            + "/"
            + objectKey
            + " failed: "
            + e.getMessage(),
        Map.of("operation", operation),
        e);
  }
}
