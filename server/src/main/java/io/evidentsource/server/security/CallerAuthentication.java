package io.evidentsource.server.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** Spring Security's view of a {@link Caller}: authenticated, with its key's name as principal. */
final class CallerAuthentication extends AbstractAuthenticationToken {
  private static final long serialVersionUID = 1L;

  private final Caller caller;

  CallerAuthentication(Caller caller) {
    super(List.of());
    this.caller = caller;
    setAuthenticated(true);
  }

  Caller caller() {
    return caller;
  }

  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public Object getPrincipal() {
    return caller.name();
  }

  /** The caller of an authentication, {@link Caller#NOBODY} for none or an anonymous one. */
  static Caller of(@org.jspecify.annotations.Nullable Authentication authentication) {
    return authentication instanceof CallerAuthentication c ? c.caller() : Caller.NOBODY;
  }

  /** The caller of the REST request on this thread. */
  static Caller current() {
    return of(SecurityContextHolder.getContext().getAuthentication());
  }
}
