/**
 * Ports the core needs from the outside (docs/architecture.md): {@link
 * io.evidentsource.core.port.StorageAdapter} for the catalog and the log, {@link
 * io.evidentsource.core.port.EventPublisher} for announcing commits. Adapters live in their own
 * modules and are checked by {@code storage-tck}.
 */
@NullMarked
package io.evidentsource.core.port;

import org.jspecify.annotations.NullMarked;
