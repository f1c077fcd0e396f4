package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.index.IndexSegmentRebuilder;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.Storage;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The index segment rebuilds of the admin API (docs/operations.md#rebuilding-index-segments): over
 * the storage's segment store when {@code evidentsource.index.segments.enabled} and the storage
 * keeps segments; otherwise every request is answered 409 {@code index_segments_disabled}.
 */
@Configuration(proxyBeanMethods = false)
class IndexRebuildConfiguration {

  @Bean(destroyMethod = "close")
  IndexRebuilds indexRebuilds(
      EventStore eventStore, Storage storage, IndexProperties index, Clock clock) {
    int segmentEvents = index.segments().events();
    IndexSegmentRebuilder rebuilder =
        index.segments().enabled()
            ? storage
                .indexSegments()
                .map(
                    store ->
                        new IndexSegmentRebuilder(
                            storage.log(), new IndexSegments(store, segmentEvents, Runnable::run)))
                .orElse(null)
            : null;
    return new IndexRebuilds(eventStore, rebuilder, segmentEvents, clock);
  }
}
