package io.evidentsource.core.port;

import io.evidentsource.core.component.ComponentRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Everything a storage module provides, assembled by that module and handed to the server as one
 * value (docs/architecture.md#storage-modules): the append log and catalog ({@link #log()}), change
 * notifications for live tails ({@link #notifications()}), the registry of published components
 * ({@link #components()}), what it can do ({@link #capabilities()}) and its lifecycle.
 *
 * <p>Lifecycle: a {@code Storage} is running when built (tables checked, background work started by
 * the module's builder) and stops with {@link #close()}, which closes what the module registered
 * with {@link Builder#onClose} in reverse order, once. Closing twice does nothing.
 *
 * <p>A module offers a factory or builder that returns this type, e.g. {@code
 * InMemoryStorage.create()} in {@code storage-memory} or {@code DynamoDbStorage.builder()} in
 * {@code storage-dynamodb}; the server needs one bean of it per profile.
 */
public final class Storage implements AutoCloseable {
  private final StorageAdapter log;
  private final ChangeNotifications notifications;
  private final ComponentRegistry components;
  private final StorageCapabilities capabilities;
  private final @Nullable IndexSegmentStore indexSegments;
  private final List<AutoCloseable> resources;
  private boolean closed;

  private Storage(Builder b, ChangeNotifications notifications, ComponentRegistry components) {
    this.log = b.log;
    this.notifications = notifications;
    this.components = components;
    this.capabilities = new StorageCapabilities(b.notificationKind, b.shared);
    this.indexSegments = b.indexSegments;
    this.resources = List.copyOf(b.resources);
  }

  /**
   * Starts assembling a storage around its log.
   *
   * @param log the catalog and append log every other part reads
   */
  public static Builder builder(StorageAdapter log) {
    return new Builder(log);
  }

  /** The catalog and the append log, the port the core's {@code EventStore} runs on. */
  public StorageAdapter log() {
    return log;
  }

  /** Wakes live tails when a database moves; see {@link StorageCapabilities#notifications()}. */
  public ChangeNotifications notifications() {
    return notifications;
  }

  /** Where published state views and state changes live. */
  public ComponentRegistry components() {
    return components;
  }

  /** What this storage can do. */
  public StorageCapabilities capabilities() {
    return capabilities;
  }

  /**
   * Where sealed index segments are kept (ADR 0011), if this storage keeps them: storages shared
   * across instances do, so that a cold instance need not read the whole log.
   */
  public Optional<IndexSegmentStore> indexSegments() {
    return Optional.ofNullable(indexSegments);
  }

  /**
   * Stops background work and releases clients, in the reverse order of registration. Every
   * resource is closed even when one fails; the first failure is thrown with the others suppressed.
   *
   * @throws StorageCloseException when a resource failed to close
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    StorageCloseException failure = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        if (failure == null) {
          failure = new StorageCloseException(e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** A resource of a {@link Storage} failed to close. */
  public static final class StorageCloseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StorageCloseException(Exception cause) {
      super("closing storage failed: " + cause.getMessage(), cause);
    }
  }

  /** Assembles a {@link Storage}; a module's own factory calls it, the server does not. */
  public static final class Builder {
    private final StorageAdapter log;
    private @Nullable ChangeNotifications notifications;
    private @Nullable Duration pollInterval;
    private StorageCapabilities.Notifications notificationKind =
        StorageCapabilities.Notifications.POLLING;
    private @Nullable ComponentRegistry components;
    private boolean shared;
    private @Nullable IndexSegmentStore indexSegments;
    private final List<AutoCloseable> resources = new ArrayList<>();

    private Builder(StorageAdapter log) {
      this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Notifications the adapter pushes on commit ({@link StorageCapabilities.Notifications#PUSH}).
     */
    public Builder pushNotifications(ChangeNotifications notifications) {
      this.notifications = Objects.requireNonNull(notifications, "notifications");
      this.pollInterval = null;
      this.notificationKind = StorageCapabilities.Notifications.PUSH;
      return this;
    }

    /**
     * Notifications by reading the log's catalog every {@code interval}: one {@link
     * SharedPollingNotifications} reads each database that live tails wait on once per interval,
     * for all of them, and stops when the storage closes ({@link
     * StorageCapabilities.Notifications#POLLING}).
     *
     * @param interval the pause between two reads of the catalog, positive
     */
    public Builder pollingNotifications(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("poll interval must be positive, was " + interval);
      }
      this.pollInterval = interval;
      this.notifications = null;
      this.notificationKind = StorageCapabilities.Notifications.POLLING;
      return this;
    }

    /** The registry of published components (required). */
    public Builder components(ComponentRegistry components) {
      this.components = Objects.requireNonNull(components, "components");
      return this;
    }

    /** Whether several processes may share this storage (default false). */
    public Builder sharedAcrossInstances(boolean shared) {
      this.shared = shared;
      return this;
    }

    /** Where this storage keeps sealed index segments (default none). */
    public Builder indexSegments(IndexSegmentStore store) {
      this.indexSegments = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Closes {@code resource} when the storage closes, after the ones registered later. */
    public Builder onClose(AutoCloseable resource) {
      resources.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    /**
     * The storage.
     *
     * @throws IllegalStateException when no component registry or notifications were given
     */
    public Storage build() {
      ComponentRegistry registry = components;
      if (registry == null) {
        throw new IllegalStateException("a storage needs a component registry: call components()");
      }
      ChangeNotifications n = notifications;
      Duration interval = pollInterval;
      if (n == null) {
        if (interval == null) {
          throw new IllegalStateException(
              "a storage needs notifications: call pushNotifications() or pollingNotifications()");
        }
        var shared = new SharedPollingNotifications(log, interval);
        resources.add(shared);
        n = shared;
      }
      return new Storage(this, n, registry);
    }
  }
}
