package io.evidentsource.server.config;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.storage.local.LocalStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;

/** {@link Backups} as RocksDB checkpoints under {@code evidentsource.local.backup-dir}. */
final class LocalBackups implements Backups {
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

  private final LocalStorage storage;
  private final Path backupDir;
  private final Clock clock;

  LocalBackups(LocalStorage storage, Path backupDir, Clock clock) {
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
