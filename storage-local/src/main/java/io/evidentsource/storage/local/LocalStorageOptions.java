package io.evidentsource.storage.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to open a data directory.
 *
 * @param dataDir the directory holding the RocksDB files; created when missing
 * @param sync when a commit is synced to disk ({@link SyncMode})
 * @param syncInterval how often the write-ahead log is synced in {@link SyncMode#INTERVAL} mode;
 *     ignored in {@link SyncMode#ALWAYS}
 */
public record LocalStorageOptions(Path dataDir, SyncMode sync, Duration syncInterval) {
  /** The default sync interval of {@link SyncMode#INTERVAL}: 100 ms. */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);

  public LocalStorageOptions {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(sync, "sync");
    Objects.requireNonNull(syncInterval, "syncInterval");
    if (syncInterval.isNegative() || syncInterval.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.local.sync-interval must be positive, was " + syncInterval);
    }
  }

  /** Durable options ({@link SyncMode#ALWAYS}) for a directory. */
  public static LocalStorageOptions of(Path dataDir) {
    return new LocalStorageOptions(dataDir, SyncMode.ALWAYS, DEFAULT_SYNC_INTERVAL);
  }
}
