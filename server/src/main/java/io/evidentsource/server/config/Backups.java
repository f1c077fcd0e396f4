package io.evidentsource.server.config;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Online backups of the {@code local} profile's data directory, for {@code POST
 * /api/v1/admin/backups} (docs/local-storage.md#backup-and-restore). Present only on that profile.
 */
public interface Backups {

  /**
   * Writes a consistent copy of every database, as of one moment, into a new directory named {@code
   * name} under {@code evidentsource.local.backup-dir}, while the server keeps serving.
   *
   * @param name the backup's directory name: 1-128 of {@code A-Z a-z 0-9 . _ -}, starting with a
   *     letter or digit, without {@code ..}
   * @throws io.evidentsource.core.error.EvidentSourceException {@code MALFORMED_REQUEST} when the
   *     name is not allowed or a backup of that name exists; {@code INTERNAL} when writing fails
   */
  Backup backup(String name);

  /**
   * A finished backup.
   *
   * @param name its name
   * @param directory where it is: a data directory a server can start on, or restore from
   * @param createdAt when it was taken (UTC)
   */
  record Backup(String name, Path directory, Instant createdAt) {}
}
