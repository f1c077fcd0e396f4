/**
 * Ports the core needs from the outside (docs/architecture.md): {@link
 * io.evidentsource.core.port.StorageAdapter} for the catalog and the log, {@link
 * io.evidentsource.core.port.ChangeNotifications} for live tails, {@link
 * io.evidentsource.core.port.EventPublisher} for announcing commits, and {@link
 * io.evidentsource.core.port.Storage}, the bundle each storage module assembles. Adapters live in
 * their own modules and are checked by {@code storage-tck}.
 */
@NullMarked
package io.evidentsource.core.port;

import org.jspecify.annotations.NullMarked;
