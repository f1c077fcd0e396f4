package io.evidentsource.server.security;

import java.util.regex.Pattern;

/**
 * The database part of a {@code read:} or {@code write:} scope: a database name ({@code orders}), a
 * prefix ending in {@code *} ({@code orders-*}), or {@code *} for every database.
 *
 * @param prefix the name, or the prefix before the {@code *}
 * @param wildcard whether the pattern ended in {@code *}
 */
public record DatabasePattern(String prefix, boolean wildcard) {
  private static final Pattern NAME_CHARS = Pattern.compile("[a-z0-9-]*");

  public DatabasePattern {
    if (!NAME_CHARS.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "a scope's database pattern holds a-z, 0-9 and '-' with an optional final '*', was '"
              + prefix
              + (wildcard ? "*" : "")
              + "'");
    }
    if (!wildcard && prefix.isEmpty()) {
      throw new IllegalArgumentException(
          "a scope's database pattern is a database name or a prefix ending in '*', was empty");
    }
  }

  /** Parses {@code orders}, {@code orders-*} or {@code *}. */
  public static DatabasePattern parse(String text) {
    return text.endsWith("*")
        ? new DatabasePattern(text.substring(0, text.length() - 1), true)
        : new DatabasePattern(text, false);
  }

  /** Whether the database of this name is covered. */
  public boolean matches(String database) {
    return wildcard ? database.startsWith(prefix) : database.equals(prefix);
  }

  @Override
  public String toString() {
    return wildcard ? prefix + "*" : prefix;
  }
}
