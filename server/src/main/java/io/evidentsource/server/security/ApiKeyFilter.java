package io.evidentsource.server.security;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.server.problem.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates a REST request by its key ({@code Authorization: Bearer <key>} or {@code X-API-Key:
 * <key>}): a known key makes its {@link Caller} the request's authentication; an unknown or
 * malformed one is answered with 401 {@code unauthenticated} at once; without a key the request
 * goes on anonymously (and the access rules decide). With security off every request is {@link
 * Caller#UNRESTRICTED}.
 */
final class ApiKeyFilter extends OncePerRequestFilter {
  static final String API_KEY_HEADER = "X-API-Key";
  static final String WWW_AUTHENTICATE = "Bearer realm=\"evidentsource\"";

  private final boolean enabled;
  private final ApiKeys keys;
  private final AuthFailures failures;
  private final JsonMapper json;

  ApiKeyFilter(boolean enabled, ApiKeys keys, AuthFailures failures, JsonMapper json) {
    this.enabled = enabled;
    this.keys = keys;
    this.failures = failures;
    this.json = json;
  }

  /** The logging context key of the authenticated caller's name. */
  static final String PRINCIPAL_LOG_KEY = "principal";

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!enabled) {
      authenticate(Caller.UNRESTRICTED);
      chain.doFilter(request, response);
      return;
    }
    String key;
    try {
      key =
          PresentedKeys.of(
              request.getHeader(HttpHeaders.AUTHORIZATION), request.getHeader(API_KEY_HEADER));
    } catch (IllegalArgumentException e) {
      refuse(
          request,
          response,
          Objects.requireNonNullElse(e.getMessage(), "the API key is malformed"));
      return;
    }
    if (key == null) {
      Caller signedIn = Sessions.caller(request, keys);
      if (signedIn != null) {
        authenticate(signedIn);
      }
      chain.doFilter(request, response);
      return;
    }
    Optional<Caller> caller = keys.authenticate(key);
    if (caller.isEmpty()) {
      refuse(request, response, "the API key is not known to this server");
      return;
    }
    authenticate(caller.get());
    // every log line of the request names its principal (docs/operations.md#logs)
    MDC.put(PRINCIPAL_LOG_KEY, caller.get().name());
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(PRINCIPAL_LOG_KEY);
    }
  }

  private static void authenticate(Caller caller) {
    var context = SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
    context.setAuthentication(new CallerAuthentication(caller));
    SecurityContextHolder.getContextHolderStrategy().setContext(context);
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, String detail)
      throws IOException {
    failures.record(
        AuthFailures.Reason.UNKNOWN_KEY,
        "http",
        request.getMethod() + " " + request.getRequestURI(),
        request.getRemoteAddr(),
        null,
        detail);
    var headers = new HttpHeaders();
    headers.set(HttpHeaders.WWW_AUTHENTICATE, WWW_AUTHENTICATE);
    ProblemResponses.write(
        response,
        json,
        ErrorCode.UNAUTHENTICATED,
        detail,
        Map.of(),
        request.getRequestURI(),
        headers);
  }
}
