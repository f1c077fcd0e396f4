package io.evidentsource.server.security;

import io.evidentsource.core.command.TransactionOrigin;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Where a request came from, for the audit record of the transactions it makes
 * (docs/security.md#audit): the caller's principal, the protocol, the request id ({@code
 * X-Request-Id} when the client sent a usable one, else generated, and echoed in the response), the
 * remote address and the user agent.
 */
public final class RequestOrigins {
  /** The request id header, sent back on every response. */
  public static final String REQUEST_ID = "X-Request-Id";

  private static final String ATTRIBUTE = RequestOrigins.class.getName() + ".requestId";
  private static final Pattern USABLE = Pattern.compile("[A-Za-z0-9._:/+=@-]{1,128}");

  private RequestOrigins() {}

  /** The request id a client sent if it is 1-128 safe characters, else a new random one. */
  public static String requestId(@Nullable String sent) {
    return sent != null && USABLE.matcher(sent).matches() ? sent : UUID.randomUUID().toString();
  }

  /** The origin of a REST request, with {@code origin} {@code http}. */
  public static TransactionOrigin http(HttpServletRequest request) {
    Object id = request.getAttribute(ATTRIBUTE);
    return new TransactionOrigin(
        Callers.current().name(),
        "http",
        id instanceof String s ? s : requestId(request.getHeader(REQUEST_ID)),
        request.getRemoteAddr(),
        request.getHeader(HttpHeaders.USER_AGENT));
  }

  /**
   * The principal to record on a state change's events ({@code principal} extension): the key's
   * name, or null while security is off.
   */
  public static @Nullable String principal(Caller caller) {
    return caller.anonymous() || caller.unrestricted() ? null : caller.name();
  }

  /** Gives every request its id (the client's or a new one) and sends it back. */
  static final class RequestIdFilter extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      String sent = request.getHeader(REQUEST_ID);
      // the id the logging filter already gave the request (observe.RequestIdFilter), so that the
      // logs, the answer's header and the audit record name the same id
      String given = response.getHeader(REQUEST_ID);
      String id =
          given != null && (sent == null || !USABLE.matcher(sent).matches())
              ? given
              : requestId(sent);
      request.setAttribute(ATTRIBUTE, id);
      response.setHeader(REQUEST_ID, id);
      chain.doFilter(request, response);
    }
  }
}
