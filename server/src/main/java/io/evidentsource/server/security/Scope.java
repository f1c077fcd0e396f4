package io.evidentsource.server.security;

/**
 * What an API key may do: {@code admin} (everything, including creating and deleting databases and
 * publishing components), {@code read:<pattern>} (queries, single events, live tails, state views,
 * component listings) or {@code write:<pattern>} (transactions, events, commands; it implies no
 * reading).
 */
public sealed interface Scope {
  /** The scope as written in configuration, e.g. {@code read:orders-*}. */
  String text();

  /** Everything. */
  record Admin() implements Scope {
    @Override
    public String text() {
      return "admin";
    }
  }

  /** Reads of the databases the pattern covers. */
  record Read(DatabasePattern databases) implements Scope {
    @Override
    public String text() {
      return "read:" + databases;
    }
  }

  /** Appends and commands on the databases the pattern covers. */
  record Write(DatabasePattern databases) implements Scope {
    @Override
    public String text() {
      return "write:" + databases;
    }
  }

  /**
   * Parses {@code admin}, {@code read:<pattern>} or {@code write:<pattern>}.
   *
   * @throws IllegalArgumentException naming the scope and the accepted forms
   */
  static Scope parse(String text) {
    String s = text.strip();
    if (s.equals("admin")) {
      return new Admin();
    }
    if (s.startsWith("read:")) {
      return new Read(DatabasePattern.parse(s.substring("read:".length())));
    }
    if (s.startsWith("write:")) {
      return new Write(DatabasePattern.parse(s.substring("write:".length())));
    }
    throw new IllegalArgumentException(
        "unknown scope '"
            + s
            + "'; scopes are admin, read:<database or prefix*> and write:<database or prefix*>");
  }
}
