package io.evidentsource.storage.memory;

import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.Storage;

/**
 * The in-memory storage module assembled: an {@link InMemoryStorageAdapter} that also pushes change
 * notifications on commit, and an {@link InMemoryComponentRegistry}. Everything lives on the heap
 * of this process and is lost when it stops; it cannot be shared by several processes.
 */
public final class InMemoryStorage {
  private InMemoryStorage() {}

  /** A new, empty in-memory storage; closing it releases nothing but is allowed. */
  public static Storage create() {
    return create(Long.MAX_VALUE);
  }

  /**
   * A new, empty in-memory storage whose events may take at most {@code maxBytes} of estimated heap
   * ({@link InMemoryStorageAdapter}); appends beyond it fail with {@code STORAGE_FULL}.
   */
  public static Storage create(long maxBytes) {
    return create(maxBytes, false);
  }

  /**
   * Like {@link #create(long)}; with {@code indexSegments} the storage also offers a segment store
   * on the heap ({@link IndexSegmentStore#inMemory()}), for trying index segments (ADR 0011)
   * without DynamoDB: it holds a second copy of every sealed index.
   */
  public static Storage create(long maxBytes, boolean indexSegments) {
    var log = new InMemoryStorageAdapter(maxBytes);
    var storage =
        Storage.builder(log)
            .pushNotifications(log)
            .components(new InMemoryComponentRegistry(log::firstKeptGeneration))
            .sharedAcrossInstances(false);
    if (indexSegments) {
      storage.indexSegments(IndexSegmentStore.inMemory());
    }
    return storage.build();
  }
}
