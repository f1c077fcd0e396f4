package io.evidentsource.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The durable single-node storage of the {@code local} profile (the default), bound from {@code
 * evidentsource.local.*} (e.g. {@code EVIDENTSOURCE_LOCAL_DATA_DIR=/data}).
 *
 * @param dataDir the directory of the RocksDB files (databases, events, idempotency records,
 *     published components); relative paths are resolved against the working directory; created on
 *     start, and locked: a second server on the same directory refuses to start, naming it
 * @param sync {@code always} (default): a transaction is acknowledged only once its write-ahead-log
 *     record is synced to disk, concurrent transactions sharing one sync; {@code interval}: the log
 *     is synced every {@code sync-interval}, so a power loss (not a process crash) may lose the
 *     transactions acknowledged in the last interval (docs/local-storage.md#durability)
 * @param syncInterval how often {@code interval} mode syncs the write-ahead log
 * @param backupDir where {@code POST /api/v1/admin/backups} writes backups, one directory each
 *     (docs/local-storage.md#backup-and-restore); relative to the working directory
 */
@ConfigurationProperties("evidentsource.local")
record LocalProperties(
    @DefaultValue("./data") Path dataDir,
    @DefaultValue("always") String sync,
    @DefaultValue("100ms") Duration syncInterval,
    @DefaultValue("./backups") Path backupDir) {
  private static final java.util.Set<String> SYNC_MODES = java.util.Set.of("always", "interval");

  LocalProperties {
    if (!SYNC_MODES.contains(sync.trim().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          "evidentsource.local.sync must be 'always' or 'interval', was '" + sync + "'");
    }
    if (syncInterval.isNegative() || syncInterval.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.local.sync-interval must be positive, was " + syncInterval);
    }
  }
}
