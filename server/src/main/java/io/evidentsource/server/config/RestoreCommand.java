package io.evidentsource.server.config;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code java -jar evidentsource-server.jar restore <backup-dir> <data-dir>}: copies a backup made
 * by {@code POST /api/v1/admin/backups} into a new or empty data directory, checks that it opens,
 * and exits; then start the server with {@code --evidentsource.local.data-dir=<data-dir>}
 * (docs/local-storage.md#backup-and-restore). No server may run on the target directory.
 */
public final class RestoreCommand {
  private RestoreCommand() {}

  /** The first command-line argument that selects this command. */
  public static final String NAME = "restore";

  /**
   * Runs the command on the arguments after {@code restore}.
   *
   * @return the process exit code: 0 restored, 2 wrong arguments, 1 failed
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 2) {
      err.println("usage: java -jar evidentsource-server.jar restore <backup-dir> <data-dir>");
      return 2;
    }
    Path backup = Path.of(args[0]);
    Path dataDir = Path.of(args[1]);
    try {
      LocalStorageConfiguration.restore(backup, dataDir);
    } catch (IllegalStateException e) {
      err.println("restore failed: " + e.getMessage());
      return 1;
    }
    out.println(
        "restored "
            + backup.toAbsolutePath()
            + " into "
            + dataDir.toAbsolutePath()
            + "; start the server with --evidentsource.local.data-dir="
            + dataDir);
    return 0;
  }
}
