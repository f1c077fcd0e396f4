/**
 * The storage profiles ({@code memory}, {@code local}, {@code dynamodb-sns}, {@code
 * dynamodb-kafka}): one {@code *StorageConfiguration} per profile builds the storage module's
 * {@link io.evidentsource.core.port.Storage} bean from its properties, from which the rest of the
 * server is wired (docs/architecture.md#storage-modules). The only classes of the server that touch
 * storage modules and cloud SDKs.
 */
@NullMarked
package io.evidentsource.server.config.storage;

import org.jspecify.annotations.NullMarked;
