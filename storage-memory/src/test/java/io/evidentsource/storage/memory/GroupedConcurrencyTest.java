package io.evidentsource.storage.memory;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.ConcurrencyTck;

/** The concurrency suite with the core's group commit on ({@link GroupingAdapter}). */
class GroupedConcurrencyTest extends ConcurrencyTck {
  private final StorageAdapter adapter = new GroupingAdapter(InMemoryStorage.create().log(), 49, 1);

  @Override
  protected StorageAdapter adapter() {
    return adapter;
  }
}
