package io.evidentsource.core.query;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The opaque continuation of a query: the pinned snapshot revision, the database generation, a
 * fingerprint of the query's filters and the sort key of the last event returned. Encoded as
 * base64url; clients must not depend on its contents.
 */
record PageToken(
    long generation, long snapshotRevision, long fingerprint, long lastRevision, long lastNanos) {
  private static final byte VERSION = 1;

  String encode() {
    var buf = ByteBuffer.allocate(1 + 5 * Long.BYTES);
    buf.put(VERSION)
        .putLong(generation)
        .putLong(snapshotRevision)
        .putLong(fingerprint)
        .putLong(lastRevision)
        .putLong(lastNanos);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
  }

  static PageToken decode(String token) {
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(token);
      if (bytes.length != 1 + 5 * Long.BYTES || bytes[0] != VERSION) {
        throw invalid();
      }
      var buf = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
      return new PageToken(
          buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
  }

  static EvidentSourceException invalid() {
    return new EvidentSourceException(
        ErrorCode.INVALID_PAGE_TOKEN,
        "page_token does not belong to this query: pass next_page_token unchanged, with the same"
            + " filters, direction and order as the request that returned it");
  }
}
