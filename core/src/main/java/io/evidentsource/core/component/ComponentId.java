package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import java.util.Objects;

/**
 * One published version of one component in one database: the key the runtime pools instances
 * under.
 *
 * @param database the database the component is published in
 * @param kind view or change
 * @param name the component name
 * @param version the version, from 1
 */
public record ComponentId(DatabaseName database, ComponentKind kind, String name, int version) {
  public ComponentId {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, was " + version);
    }
  }

  @Override
  public String toString() {
    return database + "/" + name + "@" + version;
  }
}
