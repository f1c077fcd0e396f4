package io.evidentsource.server.security;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Decides one REST rule: the caller's scopes against the permission, for the database in the
 * route's {@code {db}} variable. A refusal leaves the scope that was needed in the request
 * attribute {@link #NEEDED_SCOPE} for the 403 answer.
 */
final class ScopeAuthorization implements AuthorizationManager<RequestAuthorizationContext> {
  static final String NEEDED_SCOPE = ScopeAuthorization.class.getName() + ".neededScope";

  private final Permission permission;

  ScopeAuthorization(Permission permission) {
    this.permission = permission;
  }

  @Override
  public AuthorizationResult authorize(
      Supplier<? extends @Nullable Authentication> authentication,
      RequestAuthorizationContext context) {
    Caller caller = CallerAuthentication.of(authentication.get());
    String missing = caller.missingScope(permission, context.getVariables().get("db"));
    if (missing == null) {
      return new AuthorizationDecision(true);
    }
    context.getRequest().setAttribute(NEEDED_SCOPE, missing);
    return new AuthorizationDecision(false);
  }
}
