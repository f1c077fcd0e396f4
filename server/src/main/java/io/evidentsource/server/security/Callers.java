package io.evidentsource.server.security;

/** The caller of the REST request being handled, for controllers that filter by scope. */
public final class Callers {
  private Callers() {}

  /**
   * The caller of the current REST request: its key's caller, {@link Caller#UNRESTRICTED} when
   * security is off, {@link Caller#NOBODY} for a request without a key.
   */
  public static Caller current() {
    return CallerAuthentication.current();
  }
}
