/**
 * The local storage adapter, the embedded default: databases, their logs, idempotency records and
 * published components in one RocksDB directory on this machine ({@code
 * evidentsource.local.data-dir}), durable across restarts and crashes (ADR 0010).
 */
@NullMarked
package io.evidentsource.storage.local;

import org.jspecify.annotations.NullMarked;
