package io.evidentsource.server.config;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.port.Storage;
import io.evidentsource.storage.local.LocalStorage;
import io.evidentsource.storage.local.LocalStorageOptions;
import io.evidentsource.storage.local.SyncMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * Profile {@code local} (the default when no profile is active, see {@code spring.profiles.default}
 * in {@code application.properties}): databases, events, idempotency records and published
 * components in one RocksDB directory ({@link LocalProperties}), durable across restarts and
 * crashes. One server per directory.
 */
@Configuration(proxyBeanMethods = false)
@Profile("local")
@EnableConfigurationProperties(LocalProperties.class)
class LocalStorageConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStorageConfiguration.class);

  /** The open data directory; closed (write-ahead log synced) when the server stops. */
  @Bean(destroyMethod = "close")
  LocalStorage localStorage(LocalProperties properties) {
    var storage =
        LocalStorage.open(
            new LocalStorageOptions(
                properties.dataDir(),
                SyncMode.parse(properties.sync()),
                properties.syncInterval()));
    LOG.info(
        "Local storage in {} (sync {}): {} databases",
        storage.dataDir(),
        properties.sync(),
        storage.storageAdapter().listDatabases().size());
    return storage;
  }

  /** The storage the server is wired from: log, push notifications, component registry. */
  @Bean
  Storage storage(LocalStorage storage) {
    return storage.storage();
  }

  /** Online backups for {@code POST /api/v1/admin/backups}. */
  @Bean
  Backups backups(LocalStorage storage, LocalProperties properties, Clock clock) {
    return new CheckpointBackups(storage, properties.backupDir(), clock);
  }

  /** {@link RestoreCommand}: copies a backup into a new or empty data directory and opens it. */
  static void restore(Path backup, Path dataDir) {
    LocalStorage.restore(backup, dataDir);
  }

  /** {@link Backups} as RocksDB checkpoints under {@code evidentsource.local.backup-dir}. */
  static final class CheckpointBackups implements Backups {
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

    private final LocalStorage storage;
    private final Path backupDir;
    private final Clock clock;

    CheckpointBackups(LocalStorage storage, Path backupDir, Clock clock) {
      this.storage = storage;
      this.backupDir = backupDir.toAbsolutePath();
      this.clock = clock;
    }

    @Override
    public Backup backup(String name) {
      if (!NAME.matcher(name).matches() || name.contains("..")) {
        throw new EvidentSourceException(
            ErrorCode.MALFORMED_REQUEST,
            "a backup name must match " + NAME.pattern() + " and hold no '..', was '" + name + "'",
            Map.of("field", "name"));
      }
      try {
        Files.createDirectories(backupDir);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot create the backup directory " + backupDir + " (evidentsource.local.backup-dir)",
            e);
      }
      Path target = backupDir.resolve(name);
      var createdAt = clock.instant();
      storage.backup(target);
      return new Backup(name, target, createdAt);
    }
  }
}
