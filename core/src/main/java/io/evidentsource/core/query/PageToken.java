package io.evidentsource.core.query;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The opaque continuation of a query ({@code next_page_token}): the snapshot revision its first
 * page pinned (and the transaction time that page asked for, if any), the database generation, a
 * fingerprint of the query's filters and the sort key of the last event returned. Encoded as
 * base64url; clients must not depend on its contents.
 */
public final class PageToken {
  private static final byte VERSION = 2;

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
      var buf = ByteBuffer.wrap(Base64.getUrlDecoder().decode(token));
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
      if (buf.hasRemaining()) {
        throw invalid();
      }
      return decoded;
    } catch (IllegalArgumentException | BufferUnderflowException | DateTimeException e) {
      throw invalid();
    }
  }

  /** The token's text, as {@code next_page_token} carries it. */
  public String encode() {
    var buf = ByteBuffer.allocate(1 + 8 + 8 + 1 + 8 + 4 + 8 + 8 + 8);
    buf.put(VERSION).putLong(generation).putLong(snapshotRevision);
    if (asOfTransactionTime == null) {
      buf.put((byte) 0).putLong(0).putInt(0);
    } else {
      buf.put((byte) 1)
          .putLong(asOfTransactionTime.getEpochSecond())
          .putInt(asOfTransactionTime.getNano());
    }
    buf.putLong(fingerprint).putLong(lastRevision).putLong(lastNanos);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
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
