package io.evidentsource.server.config;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.model.RandomUuids;
import io.evidentsource.core.observe.EventStoreObserver;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.port.Storage;
import io.evidentsource.json.EvidentSourceJsonModule;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The core services over the log of whichever {@link Storage} the active profile provides (one
 * {@code @Bean Storage} per storage profile, e.g. {@link MemoryStorageConfiguration}), with the
 * limits of {@link EvidentSourceProperties}, the {@link Clock} bean and random transaction ids.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({EvidentSourceProperties.class, IndexProperties.class})
class EventStoreConfiguration {

  /** The source of creation and commit times (UTC). */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * The event store, reporting its work to the observer (docs/operations.md) when there is one;
   * with {@code evidentsource.index.segments.enabled} and a storage that keeps index segments, its
   * indexes seal and load them (ADR 0011) on one background thread.
   */
  @Bean
  EventStore eventStore(
      Storage storage,
      EvidentSourceProperties properties,
      IndexProperties index,
      Clock clock,
      ObjectProvider<EventStoreObserver> observer,
      ObjectProvider<SegmentSealer> sealer) {
    IndexSegments segments =
        index.segments().enabled()
            ? storage
                .indexSegments()
                .map(
                    store ->
                        new IndexSegments(store, index.segments().events(), sealer.getObject()))
                .orElse(null)
            : null;
    return new EventStore(
        storage.log(),
        properties.eventLimits(),
        clock,
        RandomUuids::next,
        properties.contentionTimeout(),
        observer.getIfAvailable(() -> EventStoreObserver.NONE),
        segments,
        index.cacheBytesOrUnbounded());
  }

  /** The thread that encodes and writes sealed index segments, outside any index lock. */
  @Bean(destroyMethod = "close")
  SegmentSealer segmentSealer() {
    return new SegmentSealer();
  }

  /** A single daemon thread running seal tasks in order; stopped with the context. */
  static final class SegmentSealer implements Executor, AutoCloseable {
    private final ExecutorService thread =
        Executors.newSingleThreadExecutor(
            r -> {
              var t = new Thread(r, "index-segment-sealer");
              t.setDaemon(true);
              return t;
            });

    @Override
    public void execute(Runnable task) {
      thread.execute(task);
    }

    @Override
    public void close() {
      thread.shutdownNow();
    }
  }

  /** Writes events, selectors and conditions in their wire shapes inside JSON responses. */
  @Bean
  EvidentSourceJsonModule evidentSourceJsonModule() {
    return new EvidentSourceJsonModule();
  }
}
