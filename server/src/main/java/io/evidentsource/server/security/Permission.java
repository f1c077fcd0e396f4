package io.evidentsource.server.security;

/** What a route or gRPC method requires of its caller. */
public enum Permission {
  /** Anyone, with or without a key (health, the OpenAPI document, the web UI's files). */
  OPEN,
  /** Any valid key; the answer is filtered by the key's scopes (the database list). */
  AUTHENTICATED,
  /** The {@code admin} scope: the catalog and component publishing. */
  ADMIN,
  /** A {@code read:} scope covering the database the request names, or {@code admin}. */
  READ,
  /** A {@code write:} scope covering the database the request names, or {@code admin}. */
  WRITE
}
