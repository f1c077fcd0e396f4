package io.evidentsource.server.config;

import io.evidentsource.core.port.Storage;
import io.evidentsource.storage.local.LocalStorage;
import java.time.Clock;
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
    var storage = LocalStorage.open(properties.options());
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
    return new LocalBackups(storage, properties.backupDir(), clock);
  }
}
