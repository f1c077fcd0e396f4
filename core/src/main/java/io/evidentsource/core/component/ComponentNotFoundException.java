package io.evidentsource.core.component;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@link ErrorCode#STATE_VIEW_NOT_FOUND} or {@link ErrorCode#STATE_CHANGE_NOT_FOUND} (the kind's
 * {@link ComponentKind#notFoundCode()}): no component of that kind and name (or no such version of
 * it) is published in the database. Carries the kind, database, name and version (in {@link
 * #fields()} as {@code database}, the kind's {@link ComponentKind#field()} ({@code state_view} or
 * {@code state_change}), and {@code version} when one was asked for).
 */
public final class ComponentNotFoundException extends EvidentSourceException {
  private final ComponentKind<?> kind;
  private final String database;
  private final String name;
  private final @Nullable Integer version;

  /**
   * @param kind state view or state change
   * @param database the database name
   * @param name the component name asked for
   * @param version the version asked for, or null for "any version"
   */
  public ComponentNotFoundException(
      ComponentKind<?> kind, String database, String name, @Nullable Integer version) {
    super(
        kind.notFoundCode(),
        "database '"
            + database
            + "' has no "
            + kind.label()
            + " '"
            + name
            + "'"
            + (version == null ? "" : " version " + version),
        fields(kind, database, name, version));
    this.kind = kind;
    this.database = database;
    this.name = name;
    this.version = version;
  }

  /** The kind of component asked for. */
  public ComponentKind<?> kind() {
    return kind;
  }

  /** The database name. */
  public String database() {
    return database;
  }

  /** The component name asked for. */
  public String name() {
    return name;
  }

  /** The version asked for, or null when none was (no version of the name exists). */
  public @Nullable Integer version() {
    return version;
  }

  private static Map<String, Object> fields(
      ComponentKind<?> kind, String database, String name, @Nullable Integer version) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("database", database);
    fields.put(kind.field(), name);
    if (version != null) {
      fields.put("version", version);
    }
    return fields;
  }
}
