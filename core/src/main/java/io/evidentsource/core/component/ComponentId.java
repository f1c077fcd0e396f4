package io.evidentsource.core.component;

import io.evidentsource.core.model.DatabaseName;
import java.util.Objects;

/**
 * One published version of one component in one generation of one database: the key the runtime
 * pools instances under. The generation keeps a component of a deleted database apart from one of
 * the same name and version published after the database was re-created
 * (docs/data-model.md#databases).
 *
 * @param database the database the component is published in
 * @param generation the database's generation at publication, ≥ 1 ({@link
 *     io.evidentsource.core.model.DatabaseInfo#generation()})
 * @param kind view or change
 * @param name the component name
 * @param version the version, from 1
 */
public record ComponentId(
    DatabaseName database, long generation, ComponentKind<?> kind, String name, int version) {
  public ComponentId {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    if (generation < 1) {
      throw new IllegalArgumentException("generation must be >= 1, was " + generation);
    }
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, was " + version);
    }
  }

  @Override
  public String toString() {
    return database + "/" + name + "@" + version;
  }
}
