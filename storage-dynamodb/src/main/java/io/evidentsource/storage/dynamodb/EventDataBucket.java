package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.EventData;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Event data too large for a DynamoDB item, kept in S3 (the claim check of
 * docs/dynamodb.md#large-events): the bytes of an event's data (JSON or text in UTF-8, binary raw)
 * larger than {@link #threshold()} are written to {@code {bucket}/{prefix}/data/{sha256}} before
 * the append, and the event item keeps the digest instead of the bytes. Objects are
 * content-addressed, so equal data is stored once and a write never replaces other bytes; reads
 * check the digest.
 *
 * <p>An append that uploads its data and then loses its compare-and-set leaves the object behind
 * (its retry writes the same key again); such objects are never read and cost only storage.
 */
public final class EventDataBucket {
  /** Default size above which event data goes to S3: below DynamoDB's 400 KB item limit. */
  public static final int DEFAULT_THRESHOLD = 300 * 1024;

  /** The largest threshold: DynamoDB's item limit less room for the event's attributes. */
  public static final int MAX_THRESHOLD = 350 * 1024;

  private static final int REMEMBERED_UPLOADS = 1024;

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final int threshold;
  private final Set<String> uploaded =
      Collections.synchronizedSet(
          Collections.newSetFromMap(
              new LinkedHashMap<String, Boolean>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > REMEMBERED_UPLOADS;
                }
              }));

  /**
   * @param s3 the S3 client
   * @param bucket the bucket (the components bucket)
   * @param tablePrefix the table prefix; keys are {@code {tablePrefix}/data/{sha256}}
   * @param threshold data larger than this many bytes goes to S3 (1 to {@link #MAX_THRESHOLD})
   */
  public EventDataBucket(S3Client s3, String bucket, String tablePrefix, int threshold) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.prefix = Objects.requireNonNull(tablePrefix, "tablePrefix") + "/data/";
    if (threshold < 1 || threshold > MAX_THRESHOLD) {
      throw new IllegalArgumentException(
          "threshold must be in 1.." + MAX_THRESHOLD + " bytes, was " + threshold);
    }
    this.threshold = threshold;
  }

  /** Data larger than this many bytes is stored in S3. */
  public int threshold() {
    return threshold;
  }

  /** Whether {@code data} goes to S3. */
  boolean offloads(@Nullable EventData data) {
    return data != null && data.sizeBytes() > threshold;
  }

  /** The object key of the data with this digest. */
  String key(String sha256) {
    return prefix + sha256;
  }

  /**
   * Stores {@code data} (larger than the threshold) and returns its SHA-256 digest.
   *
   * @throws EvidentSourceException {@code INTERNAL} when S3 did not take it
   */
  String store(EventData data) {
    byte[] bytes = bytes(data);
    String digest = ModuleDigest.sha256Hex(bytes);
    if (uploaded.contains(digest)) {
      return digest;
    }
    try {
      s3.putObject(b -> b.bucket(bucket).key(key(digest)), RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "S3 PutObject of event data " + key(digest) + " failed: " + e.getMessage(),
          Map.of("operation", "PutObject"),
          e);
    }
    uploaded.add(digest);
    return digest;
  }

  /**
   * Reads the bytes stored under {@code sha256} and checks them against it.
   *
   * @throws EvidentSourceException {@code INTERNAL} when the object is missing, unreadable or does
   *     not match its digest
   */
  byte[] load(String sha256) {
    byte[] bytes;
    try {
      bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(sha256))).asByteArray();
    } catch (SdkException e) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "S3 GetObject of event data " + key(sha256) + " failed: " + e.getMessage(),
          Map.of("operation", "GetObject"),
          e);
    }
    if (!ModuleDigest.sha256Hex(bytes).equals(sha256)) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "event data " + key(sha256) + " does not match its SHA-256",
          Map.of("operation", "GetObject"));
    }
    return bytes;
  }

  /** The bytes that represent {@code data} in S3. */
  static byte[] bytes(EventData data) {
    return data.match(
        EventData.Json::utf8,
        text -> text.text().getBytes(StandardCharsets.UTF_8),
        EventData.Binary::bytes);
  }
}
