package io.evidentsource.core.error;

import java.util.Map;

/**
 * {@link ErrorCode#DATABASE_NOT_FOUND}: no database of that name exists, or it was deleted while a
 * subscription followed it. Carries the database name (also in {@link #fields()} as {@code
 * database}).
 */
public final class DatabaseNotFoundException extends EvidentSourceException {
  private final String database;

  /**
   * @param database the name asked for
   */
  public DatabaseNotFoundException(String database) {
    this(database, "database '" + database + "' does not exist");
  }

  private DatabaseNotFoundException(String database, String detail) {
    super(ErrorCode.DATABASE_NOT_FOUND, detail, Map.of("database", database));
    this.database = database;
  }

  /** The database a subscription followed was deleted (or deleted and created again). */
  public static DatabaseNotFoundException deletedWhileSubscribed(String database) {
    return new DatabaseNotFoundException(
        database, "database '" + database + "' was deleted while subscribed");
  }

  /** The database name. */
  public String database() {
    return database;
  }
}
