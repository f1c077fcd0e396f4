package io.evidentsource.server.config;

import io.evidentsource.core.index.IndexSegment;
import io.evidentsource.core.index.IndexSegments;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the per-database indexes use persisted index segments (ADR 0011), bound from {@code
 * evidentsource.index.*} (docs/dynamodb.md#index-segments).
 *
 * @param segments the segment settings
 */
@ConfigurationProperties("evidentsource.index")
record IndexProperties(@DefaultValue Segments segments) {

  /**
   * @param enabled seal completed revision ranges into the storage's segment store and load them
   *     instead of reading the log (default false: index from the log only); only storages shared
   *     across instances (the DynamoDB profiles) keep segments, other storages ignore it
   * @param events revisions per segment, 1 to 4,194,304 (default 10,000); every instance sharing
   *     the tables should use the same value
   */
  record Segments(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("" + IndexSegments.DEFAULT_SEGMENT_EVENTS) int events) {
    Segments {
      if (events < 1 || events > IndexSegment.MAX_EVENTS) {
        throw new IllegalArgumentException(
            "evidentsource.index.segments.events must be in 1.."
                + IndexSegment.MAX_EVENTS
                + ", was "
                + events);
      }
    }
  }
}
