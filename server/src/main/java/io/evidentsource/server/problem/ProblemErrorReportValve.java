package io.evidentsource.server.problem;

import io.evidentsource.core.error.ErrorCode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's error page for what never reaches the application: a request line or headers larger than
 * {@code server.max-http-request-header-size}, a malformed request line, a bad host header. Tomcat
 * answers those itself with an HTML page; this valve answers them with the same problem details as
 * {@link ApiExceptionHandler} instead, so every 4xx of the server carries a {@code code}.
 */
final class ProblemErrorReportValve extends ErrorReportValve {
  private static final Logger log = LoggerFactory.getLogger(ProblemErrorReportValve.class);

  private final JsonMapper json;

  /**
   * @param json the application's mapper, which writes every other problem body
   */
  ProblemErrorReportValve(JsonMapper json) {
    this.json = json;
    setShowReport(false);
    setShowServerInfo(false);
  }

  @Override
  protected void report(Request request, Response response, @Nullable Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    ErrorCode code = ErrorStatus.codeFor(status);
    String detail =
        switch (status) {
          case 400 ->
              "the request line or headers cannot be read: malformed, or larger than"
                  + " server.max-http-request-header-size (8KB by default) together";
          case 413 -> code.defaultMessage();
          default ->
              code == ErrorCode.INTERNAL
                  ? "an unexpected error occurred; the server log has the details"
                  : code.defaultMessage();
        };
    if (status >= 500) {
      log.atWarn()
          .setCause(throwable)
          .addKeyValue("code", code.code())
          .addKeyValue("status", status)
          .log("a request answered {} {} from the servlet container", status, code.code());
    }
    var problem =
        new Problem(
            "urn:evidentsource:problem:" + code.code(),
            code.defaultMessage(),
            status,
            detail,
            code.code(),
            null,
            Map.of());
    String body = json.writeValueAsString(problem);
    try {
      response.setContentType("application/problem+json");
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(body);
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the client went away, or the response cannot take a body any more
      log.debug("could not write the error body: {}", e.toString());
    }
  }
}
