package io.evidentsource.core.port;

import java.util.Objects;

/**
 * What a {@link Storage} can do beyond the contract every adapter meets: how it tells live tails
 * about commits, and whether several server processes may share it. The server wires itself from
 * these values, and {@code storage-tck} runs the suites each capability calls for.
 *
 * @param notifications how {@link Storage#notifications()} learns of a commit
 * @param sharedAcrossInstances true when several processes may open the same storage at once (each
 *     sees every other's commits and published components); false when the storage belongs to one
 *     process (the heap, an embedded engine's files)
 */
public record StorageCapabilities(Notifications notifications, boolean sharedAcrossInstances) {
  public StorageCapabilities {
    Objects.requireNonNull(notifications, "notifications");
  }

  /** How change notifications reach a waiting live tail. */
  public enum Notifications {
    /** The adapter wakes waiting readers on every commit of this process, without delay. */
    PUSH,
    /**
     * The catalog is read every interval, once per database for all its waiting readers ({@link
     * SharedPollingNotifications}); commits are seen within one interval.
     */
    POLLING
  }
}
