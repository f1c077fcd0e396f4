/**
 * The in-memory storage adapter, the embedded default: databases and their logs live on the heap
 * and vanish with the process. Appends are a compare-and-set under a per-database lock.
 */
@NullMarked
package io.evidentsource.storage.memory;

import org.jspecify.annotations.NullMarked;
