package io.evidentsource.server.config;

import io.evidentsource.core.port.IndexSegments;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the per-database indexes use persisted index segments (ADR 0011), bound from {@code
 * evidentsource.index.*} (docs/dynamodb.md#index-segments).
 *
 * @param segments the segment settings
 * @param cacheBytes the most heap the indexes of all databases and, when {@code segments.enabled},
 *     the sealed segments read for queries may hold together (their estimate, the {@code
 *     evidentsource_index_cache_bytes} gauge); beyond it the least recently used segments that no
 *     running query holds are dropped, then the indexes of the least recently used databases, each
 *     read again on next use (an index from its segments' summaries and unsealed tail when {@code
 *     segments.enabled}, else from the whole log). The index in use and the segments running
 *     queries hold are never dropped, so the bound may be exceeded by those. With segments a
 *     database's index is only its tail and summaries, so the bound holds for databases of any
 *     size. Absent (default): no bound
 */
@ConfigurationProperties("evidentsource.index")
record IndexProperties(@DefaultValue Segments segments, @Nullable DataSize cacheBytes) {

  IndexProperties {
    if (cacheBytes != null && cacheBytes.toBytes() < 1) {
      throw new IllegalArgumentException(
          "evidentsource.index.cache-bytes must be positive, was " + cacheBytes);
    }
  }

  /** The bound in bytes, {@link Long#MAX_VALUE} for none. */
  long cacheBytesOrUnbounded() {
    var bound = cacheBytes;
    return bound == null ? Long.MAX_VALUE : bound.toBytes();
  }

  /**
   * @param enabled seal completed revision ranges into the storage's segment store, keep in heap
   *     only their summaries and the unsealed tail, and read a segment when a query or condition
   *     reaches it (default false: the whole index in heap, from the log; true on the DynamoDB
   *     profiles, application-dynamodb-*.properties); the DynamoDB profiles keep segments in their
   *     tables (and S3), the {@code memory} profile on its heap, the {@code local} profile ignores
   *     it
   * @param events revisions per segment, 1 to 4,194,304 (default 1,000, ADR 0011 "Segment size"):
   *     also the most events of log a cold instance reads per database; every instance sharing the
   *     tables should use the same value
   */
  record Segments(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("" + IndexSegments.DEFAULT_SEGMENT_EVENTS) int events) {
    Segments {
      if (events < 1 || events > IndexSegments.MAX_EVENTS) {
        throw new IllegalArgumentException(
            "evidentsource.index.segments.events must be in 1.."
                + IndexSegments.MAX_EVENTS
                + ", was "
                + events);
      }
    }
  }
}
