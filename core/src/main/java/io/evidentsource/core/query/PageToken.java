package io.evidentsource.core.query;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The opaque continuation of a query ({@code next_page_token}): the snapshot revision its first
 * page pinned (and the transaction time that page asked for, if any), the database generation, a
 * fingerprint of the query's filters and the sort key of the last event returned, followed by a
 * checksum of all that. Encoded as base64url; clients must not depend on its contents.
 *
 * <p>{@link #decode} refuses anything a server did not write: a wrong length or version, a checksum
 * that does not match (an edited or made-up token), or values no query can produce (a negative
 * revision, a last event beyond the pinned snapshot). The checksum is not a secret signature: a
 * token grants nothing, since the caller must be allowed to read the database anyway and the token
 * only says where in that caller's own query the next page starts.
 */
public final class PageToken {
  private static final byte VERSION = 3;
  private static final int PAYLOAD_BYTES = 1 + 8 + 8 + 1 + 8 + 4 + 8 + 8 + 8;
  private static final int CHECKSUM_BYTES = 8;
  private static final byte[] CHECKSUM_CONTEXT =
      "evidentsource page token v3".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  final long generation;
  final long snapshotRevision;
  final @Nullable Instant asOfTransactionTime;
  final long fingerprint;
  final long lastRevision;
  final long lastNanos;

  PageToken(
      long generation,
      long snapshotRevision,
      @Nullable Instant asOfTransactionTime,
      long fingerprint,
      long lastRevision,
      long lastNanos) {
    this.generation = generation;
    this.snapshotRevision = snapshotRevision;
    this.asOfTransactionTime = asOfTransactionTime;
    this.fingerprint = fingerprint;
    this.lastRevision = lastRevision;
    this.lastNanos = lastNanos;
  }

  /**
   * Reads a token as a response returned it.
   *
   * @throws EvidentSourceException {@code INVALID_PAGE_TOKEN} when it is not one
   */
  public static PageToken decode(String token) {
    try {
      if (token.length() > 2 * (PAYLOAD_BYTES + CHECKSUM_BYTES)) {
        throw invalid();
      }
      byte[] bytes = Base64.getUrlDecoder().decode(token);
      if (bytes.length != PAYLOAD_BYTES + CHECKSUM_BYTES
          || !MessageDigest.isEqual(
              checksum(bytes), Arrays.copyOfRange(bytes, PAYLOAD_BYTES, bytes.length))) {
        throw invalid();
      }
      var buf = ByteBuffer.wrap(bytes, 0, PAYLOAD_BYTES);
      if (buf.get() != VERSION) {
        throw invalid();
      }
      long generation = buf.getLong();
      long snapshotRevision = buf.getLong();
      byte hasAsOf = buf.get();
      long asOfSeconds = buf.getLong();
      int asOfNanos = buf.getInt();
      if (hasAsOf != 0 && hasAsOf != 1) {
        throw invalid();
      }
      Instant asOf = hasAsOf == 0 ? null : Instant.ofEpochSecond(asOfSeconds, asOfNanos);
      var decoded =
          new PageToken(
              generation, snapshotRevision, asOf, buf.getLong(), buf.getLong(), buf.getLong());
      if (decoded.generation < 1
          || decoded.snapshotRevision < 1
          || decoded.lastRevision < 1
          || decoded.lastRevision > decoded.snapshotRevision) {
        throw invalid();
      }
      return decoded;
    } catch (IllegalArgumentException | BufferUnderflowException | DateTimeException e) {
      throw invalid();
    }
  }

  /** The token's text, as {@code next_page_token} carries it. */
  public String encode() {
    var buf = ByteBuffer.allocate(PAYLOAD_BYTES + CHECKSUM_BYTES);
    buf.put(VERSION).putLong(generation).putLong(snapshotRevision);
    if (asOfTransactionTime == null) {
      buf.put((byte) 0).putLong(0).putInt(0);
    } else {
      buf.put((byte) 1)
          .putLong(asOfTransactionTime.getEpochSecond())
          .putInt(asOfTransactionTime.getNano());
    }
    buf.putLong(fingerprint).putLong(lastRevision).putLong(lastNanos);
    buf.put(checksum(buf.array()));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
  }

  /** The first {@value #CHECKSUM_BYTES} bytes of SHA-256 over a context string and the payload. */
  private static byte[] checksum(byte[] token) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      digest.update(CHECKSUM_CONTEXT);
      digest.update(token, 0, PAYLOAD_BYTES);
      return Arrays.copyOf(digest.digest(), CHECKSUM_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * Whether a request that repeats snapshot parameters beside this token names the snapshot the
   * token pinned: no snapshot parameter, the pinned revision, or the transaction time the first
   * page asked for.
   */
  boolean pins(Snapshot requested) {
    return requested.match(
        head -> true,
        atRevision -> atRevision.revision() == snapshotRevision,
        asOf -> asOf.time().equals(asOfTransactionTime));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PageToken other && encode().equals(other.encode());
  }

  @Override
  public int hashCode() {
    return encode().hashCode();
  }

  /** The encoded text, as {@link #encode()}. */
  @Override
  public String toString() {
    return encode();
  }

  static EvidentSourceException invalid() {
    return new EvidentSourceException(
        ErrorCode.INVALID_PAGE_TOKEN,
        "page_token does not belong to this query: pass next_page_token unchanged, with the same"
            + " filters, direction and order as the request that returned it");
  }
}
