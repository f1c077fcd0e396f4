package io.evidentsource.server.observe;

import io.evidentsource.server.security.RequestOrigins;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every HTTP request its id (docs/operations.md#logs): the client's {@code X-Request-Id} when
 * it is 1 to 128 of {@code A-Z a-z 0-9 . _ : / + = @ -}, else a random UUID ({@link
 * RequestOrigins#assign}, so the audit record of the request's transactions carries the same id).
 * The id is in the logging context (MDC key {@value #MDC_KEY}) while the request runs, so it is in
 * every log line the request writes, and is echoed in the response's {@code X-Request-Id}.
 *
 * <p>The logs also carry the trace and span ids (Micrometer Tracing puts them in the MDC) and, with
 * security on, the caller's name under the MDC key {@code principal}, which the API key filter
 * sets.
 */
final class RequestIdFilter extends OncePerRequestFilter {
  /** The logging context key of the request id. */
  static final String MDC_KEY = "request_id";

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String id = RequestOrigins.assign(request);
    response.setHeader(RequestOrigins.REQUEST_ID, id);
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
