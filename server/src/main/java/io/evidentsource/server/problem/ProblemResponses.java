package io.evidentsource.server.problem;

import io.evidentsource.core.error.ErrorCode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a problem details response from outside Spring MVC (the security filters), with the same
 * body as {@link ApiExceptionHandler}.
 */
public final class ProblemResponses {
  private ProblemResponses() {}

  /**
   * Writes the problem for the code with this detail and fields.
   *
   * @param json Spring's JSON mapper
   * @param instance the request path
   * @param headers extra response headers (e.g. {@code WWW-Authenticate})
   */
  public static void write(
      HttpServletResponse response,
      JsonMapper json,
      ErrorCode code,
      String detail,
      Map<String, Object> fields,
      String instance,
      HttpHeaders headers)
      throws IOException {
    var entity = Problems.of(code, detail, fields, null, instance, headers);
    response.setStatus(entity.getStatusCode().value());
    entity
        .getHeaders()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE)) {
                values.forEach(v -> response.addHeader(name, v));
              }
            });
    response.setContentType(Problems.PROBLEM_JSON.toString());
    response.setCharacterEncoding("UTF-8");
    response.getOutputStream().write(json.writeValueAsBytes(entity.getBody()));
    response.flushBuffer();
  }
}
