package io.evidentsource.server.security;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who sent a request: the name of its API key (the audit's {@code principal}) and the key's scopes;
 * {@code anonymous} when there is no key.
 *
 * @param name the key's name, or {@code anonymous}
 * @param scopes what the key may do
 */
public record Caller(String name, List<Scope> scopes) {
  /** The principal of every request when security is off: may do everything. */
  public static final Caller UNRESTRICTED = new Caller("anonymous", List.of(new Scope.Admin()));

  /** A request without a key while security is on: may reach only the open routes. */
  public static final Caller NOBODY = new Caller("anonymous", List.of());

  /**
   * Whether this is {@link #NOBODY}, the caller without a key. Identity, not equality: a key file
   * may name a key {@code anonymous} and give it no scopes, and that caller did present a key.
   */
  @SuppressWarnings("ReferenceEquality") // identity is the question, as said above
  public boolean anonymous() {
    return this == NOBODY;
  }

  /** Whether this is {@link #UNRESTRICTED}, the caller while security is off (by identity). */
  @SuppressWarnings("ReferenceEquality") // a key may be named anonymous and hold admin
  public boolean unrestricted() {
    return this == UNRESTRICTED;
  }

  /**
   * The name per-key limits count this caller under (docs/limits.md#requests-in-flight): its key's
   * name, or null while security is off and for a request without a key.
   */
  public @Nullable String keyName() {
    return unrestricted() || anonymous() ? null : name;
  }

  public Caller {
    scopes = List.copyOf(scopes);
  }

  public boolean isAdmin() {
    return scopes.stream().anyMatch(s -> s instanceof Scope.Admin);
  }

  /** Whether the caller may read the database (queries, events, live tails, state views). */
  public boolean canRead(String database) {
    return isAdmin()
        || scopes.stream()
            .anyMatch(s -> s instanceof Scope.Read r && r.databases().matches(database));
  }

  /** Whether the caller may append to the database (transactions, events, commands). */
  public boolean canWrite(String database) {
    return isAdmin()
        || scopes.stream()
            .anyMatch(s -> s instanceof Scope.Write w && w.databases().matches(database));
  }

  /**
   * The scope this caller lacks for the permission on the database, or null when it may go ahead.
   *
   * @param database the database the request names; null for routes without one
   */
  public @Nullable String missingScope(Permission permission, @Nullable String database) {
    return switch (permission) {
      case OPEN -> null;
      case AUTHENTICATED -> anonymous() ? "any valid API key" : null;
      case ADMIN -> isAdmin() ? null : "admin";
      case READ -> database != null && canRead(database) ? null : "read:" + database;
      case WRITE -> database != null && canWrite(database) ? null : "write:" + database;
    };
  }
}
