package io.evidentsource.server.security;

import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.model.RandomUuids;
import jakarta.servlet.http.HttpServletRequest;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

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
    return sent != null && USABLE.matcher(sent).matches() ? sent : RandomUuids.next().toString();
  }

  /**
   * Gives a REST request its id, once: the client's {@code X-Request-Id} if usable, else a new one,
   * kept on the request so that the logs, the response header and the audit record of its
   * transactions all carry the same id (the request-id filter of {@code
   * server.observe.ObservabilityConfiguration} calls this first thing).
   *
   * @return the request's id, 1 to 128 characters
   */
  public static String assign(HttpServletRequest request) {
    if (request.getAttribute(ATTRIBUTE) instanceof String assigned) {
      return assigned;
    }
    String id = requestId(request.getHeader(REQUEST_ID));
    request.setAttribute(ATTRIBUTE, id);
    return id;
  }

  /** The origin of a REST request, with {@code origin} {@code http}. */
  public static TransactionOrigin http(HttpServletRequest request) {
    Object id = request.getAttribute(ATTRIBUTE);
    return new TransactionOrigin(
        Callers.current().name(),
        "http",
        id instanceof String s ? s : assign(request),
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
}
