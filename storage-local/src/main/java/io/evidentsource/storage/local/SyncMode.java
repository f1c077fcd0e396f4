package io.evidentsource.storage.local;

import java.util.Locale;

/**
 * When a commit's write-ahead-log record reaches the disk ({@code evidentsource.local.sync}).
 *
 * <ul>
 *   <li>{@link #ALWAYS} (the default): the WAL is synced (fsync) before a transaction is
 *       acknowledged; concurrent transactions share one sync (group commit). An acknowledged
 *       transaction survives a crash of the process and of the machine.
 *   <li>{@link #INTERVAL}: the WAL is written to the operating system before the answer and synced
 *       every sync interval. An acknowledged transaction survives a crash of the process; a power
 *       loss or kernel crash may lose up to one interval of acknowledged transactions (never a part
 *       of one, and never a gap: the log recovers to a consistent prefix).
 * </ul>
 */
public enum SyncMode {
  ALWAYS,
  INTERVAL;

  /**
   * Parses {@code always} or {@code interval} (any case).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static SyncMode parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "always" -> ALWAYS;
      case "interval" -> INTERVAL;
      default ->
          throw new IllegalArgumentException(
              "evidentsource.local.sync must be 'always' or 'interval', was '" + text + "'");
    };
  }
}
