package io.evidentsource.server.observe;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every HTTP request an id for the logs (docs/operations.md#logs): the client's {@code
 * X-Request-Id} when it is 1 to 128 characters of letters, digits and {@code -_.:}, else a random
 * UUID. The id is in the logging context (MDC key {@value #MDC_KEY}) while the request runs, so it
 * is in every log line the request writes, and is echoed in the response's {@code X-Request-Id}.
 *
 * <p>The logs also carry the trace and span ids (Micrometer Tracing puts them in the MDC) and, with
 * security on, the caller's name under the MDC key {@code principal}, which the API key filter
 * sets.
 */
final class RequestIdFilter extends OncePerRequestFilter {
  /** The request and response header. */
  static final String HEADER = "X-Request-Id";

  /** The logging context key of the request id. */
  static final String MDC_KEY = "request_id";

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String given = request.getHeader(HEADER);
    String id =
        given != null && VALID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    response.setHeader(HEADER, id);
    MDC.put(MDC_KEY, id);
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(MDC_KEY);
    }
  }

  @Override
  protected boolean shouldNotFilterAsyncDispatch() {
    return false; // streamed answers (NDJSON, SSE) log with the same id
  }
}
