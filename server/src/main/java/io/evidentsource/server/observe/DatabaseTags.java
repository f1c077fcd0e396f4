package io.evidentsource.server.observe;

import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.model.DatabaseName;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bounded tag values for databases and components: the first {@code maxDatabases} databases
 * known to exist get their own name as the tag value, every other one {@value #OTHER}; likewise
 * components. A name gets a slot only once it is known to exist (created, listed, or served without
 * error), so requests naming random databases cannot fill the slots. Thread-safe.
 */
final class DatabaseTags {
  /** The tag value of the databases and components beyond the caps. */
  static final String OTHER = "_other";

  private final int maxDatabases;
  private final int maxComponents;
  private final ConcurrentHashMap<DatabaseName, String> databases = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> components = new ConcurrentHashMap<>();

  DatabaseTags(int maxDatabases, int maxComponents) {
    this.maxDatabases = maxDatabases;
    this.maxComponents = maxComponents;
  }

  /** The tag value of a database that exists, giving it a slot while any is free. */
  String admit(DatabaseName database) {
    String tag = databases.get(database);
    if (tag != null) {
      return tag;
    }
    if (databases.size() >= maxDatabases) {
      return OTHER; // no lock for the databases beyond the cap, on every call
    }
    synchronized (databases) {
      if (databases.size() >= maxDatabases) {
        return OTHER;
      }
      return databases.computeIfAbsent(database, DatabaseName::value);
    }
  }

  /** The tag value of a database that may not exist: its slot, or {@value #OTHER}. */
  String of(DatabaseName database) {
    String tag = databases.get(database);
    return tag != null ? tag : OTHER;
  }

  /** Whether the database has a slot of its own. */
  boolean hasSlot(DatabaseName database) {
    return databases.containsKey(database);
  }

  /** Frees the slot of a deleted database and its components'. */
  void forget(DatabaseName database) {
    synchronized (databases) {
      databases.remove(database);
    }
    String prefix = database.value() + "/";
    synchronized (components) {
      components.keySet().removeIf(k -> k.startsWith(prefix));
    }
  }

  /** The tag value of a component, giving it a slot while any is free and its database has one. */
  String component(ComponentId id, boolean exists) {
    if (!hasSlot(id.database())) {
      return OTHER;
    }
    String key = id.database().value() + "/" + id.name();
    String tag = components.get(key);
    if (tag != null) {
      return tag;
    }
    if (!exists) {
      return OTHER;
    }
    synchronized (components) {
      if (components.size() >= maxComponents) {
        return OTHER;
      }
      return components.computeIfAbsent(key, k -> id.name());
    }
  }
}
