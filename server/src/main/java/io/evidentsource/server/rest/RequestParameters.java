package io.evidentsource.server.rest;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.security.web.firewall.RequestRejectedException;

/** The query parameters of a request, or a 400 when the container cannot decode them. */
final class RequestParameters {
  private RequestParameters() {}

  /**
   * The decoded query parameters.
   *
   * @throws EvidentSourceException 400 {@code INVALID_QUERY} (field {@code parameter}: {@code query
   *     string}) when the query string has a bad percent escape ({@code %ZZ}), bytes that are not
   *     UTF-8, or a parameter without a name ({@code ?=x}): dropping such a parameter, as lenient
   *     containers do, could widen a query or a view read
   */
  static Map<String, String[]> of(HttpServletRequest request) {
    try {
      return request.getParameterMap();
    } catch (IllegalStateException | IllegalArgumentException | RequestRejectedException e) {
      // Tomcat's InvalidParameterException is an IllegalStateException; Spring Security's
      // firewall refuses parameter names with control or unassigned characters
      throw invalid(request);
    }
  }

  static EvidentSourceException invalid(HttpServletRequest request) {
    String query = request.getQueryString();
    if (query != null && query.length() > 200) {
      query = query.substring(0, 200) + "...";
    }
    return new EvidentSourceException(
        ErrorCode.INVALID_QUERY,
        "the query string is not valid: every parameter needs a name, and percent escapes must"
            + " encode UTF-8 (%ZZ is not an escape); was: "
            + query,
        Map.of("parameter", "query string"));
  }
}
