package io.evidentsource.core.port;

import io.evidentsource.core.model.DatabaseName;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The listeners of {@link ChangeNotifications#listen} that an adapter learning of its own commits
 * keeps: added and removed at any time, told on the committing thread. Thread-safe.
 */
public final class CommitListeners {
  private final List<Consumer<DatabaseName>> listeners = new CopyOnWriteArrayList<>();

  /**
   * Adds a listener.
   *
   * @return the handle that removes it
   */
  public AutoCloseable add(Consumer<DatabaseName> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Tells every listener that {@code database} moved (a commit) or is gone (a deletion). */
  public void tell(DatabaseName database) {
    for (var listener : listeners) {
      listener.accept(database);
    }
  }
}
