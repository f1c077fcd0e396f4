package io.evidentsource.server.rest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temporary files NDJSON bulk loads spool their body to, in the JVM's temporary directory
 * ({@code java.io.tmpdir}). Each name carries the server's process id ({@code
 * evidentsource-bulk-<pid>-<random>.spool}), so that a server starting up can delete what a killed
 * server ({@code kill -9}, a crash) left behind without touching the spools of another server that
 * is running on the same machine: files of processes that no longer run, and files in the old
 * format without a process id once they are an hour old.
 */
final class SpoolFiles {
  private static final Logger log = LoggerFactory.getLogger(SpoolFiles.class);
  private static final String PREFIX = "evidentsource-bulk-";
  private static final String SUFFIX = ".spool";
  private static final Pattern WITH_PID = Pattern.compile("evidentsource-bulk-(\\d+)-.*\\.spool");
  private static final Duration LEGACY_AGE = Duration.ofHours(1);

  private SpoolFiles() {}

  /** A new spool file of this process. */
  static Path create() throws IOException {
    return Files.createTempFile(PREFIX + ProcessHandle.current().pid() + "-", SUFFIX);
  }

  /**
   * Deletes the spool files in {@code directory} that no running process owns.
   *
   * @return how many were deleted
   */
  static int deleteStale(Path directory) {
    int deleted = 0;
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
      for (Path file : files) {
        if (stale(file, self)) {
          try {
            if (Files.deleteIfExists(file)) {
              deleted++;
            }
          } catch (IOException e) {
            log.warn("cannot delete the stale bulk-load spool file {}: {}", file, e.toString());
          }
        }
      }
    } catch (IOException e) {
      log.warn("cannot look for stale bulk-load spool files in {}: {}", directory, e.toString());
    }
    if (deleted > 0) {
      log.info(
          "deleted {} bulk-load spool files in {} left by servers that no longer run",
          deleted,
          directory);
    }
    return deleted;
  }

  private static boolean stale(Path file, long self) throws IOException {
    Matcher m = WITH_PID.matcher(file.getFileName().toString());
    if (m.matches()) {
      long pid;
      try {
        pid = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        return false;
      }
      return pid != self && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }
    Instant modified = Files.getLastModifiedTime(file).toInstant();
    return modified.isBefore(Instant.now().minus(LEGACY_AGE));
  }

  /** The directory spool files are created in. */
  static Path directory() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }
}
