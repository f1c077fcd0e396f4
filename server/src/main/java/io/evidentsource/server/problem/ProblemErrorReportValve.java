package io.evidentsource.server.problem;

import io.evidentsource.core.error.ErrorCode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.res.StringManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's error page for what never reaches the application: a request line or headers larger than
 * {@code server.max-http-request-header-size}, a malformed request line, a bad host header. Tomcat
 * answers those itself with an HTML page; this valve answers them with the same problem details as
 * {@link ApiExceptionHandler} instead, so every 4xx of the server carries a {@code code}. Tomcat
 * answers 400 to a request line or headers beyond the limit; this valve makes that 414 {@code
 * request_line_too_long} when the request line did not fit and 431 {@code headers_too_large} when
 * the headers did not, each with {@code limit} (bytes) and {@code limit_name}.
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

  /**
   * The message of the {@link IllegalArgumentException} Tomcat's HTTP/1.1 parser throws when the
   * request line or the headers do not fit {@code maxHttpRequestHeaderSize}, in Tomcat's locale.
   */
  private static final String HEADER_TOO_LARGE =
      StringManager.getManager("org.apache.coyote.http11")
          .getString("iib.requestheadertoolarge.error");

  private static final String HEADER_SIZE_PROPERTY = "server.max-http-request-header-size";

  @Override
  protected void report(Request request, Response response, @Nullable Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    Map<String, Object> members = Map.of();
    if (status == 400 && isHeaderOverflow(throwable)) {
      // Tomcat answers 400 to both; the request line is read first, so a request whose path was
      // never parsed overflowed there (RFC 9110 §15.5.15: 414, RFC 6585 §5: 431)
      status = request.getCoyoteRequest().requestURI().isNull() ? 414 : 431;
      response.setStatus(status);
      int limit = headerSizeLimit(request);
      members = limit > 0 ? Map.of("limit", limit, "limit_name", HEADER_SIZE_PROPERTY) : Map.of();
    }
    ErrorCode code = ErrorStatus.codeFor(status);
    String detail =
        switch (status) {
          case 400 ->
              "the request line or headers cannot be read: malformed, or larger than "
                  + HEADER_SIZE_PROPERTY
                  + " together";
          case 414 ->
              "the request line (method, path and query string) is longer than "
                  + HEADER_SIZE_PROPERTY
                  + " ("
                  + limitText(request)
                  + "); send long selectors in a POST body or shorten the query string";
          case 431 ->
              "the request line and headers together are larger than "
                  + HEADER_SIZE_PROPERTY
                  + " ("
                  + limitText(request)
                  + ")";
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
            members);
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

  private static boolean isHeaderOverflow(@Nullable Throwable throwable) {
    return throwable instanceof IllegalArgumentException
        && HEADER_TOO_LARGE.equals(throwable.getMessage());
  }

  /** The connector's {@code maxHttpRequestHeaderSize} in bytes, or -1 when not an HTTP/1.1 one. */
  private static int headerSizeLimit(Request request) {
    var connector = request.getConnector();
    if (connector != null
        && connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http11) {
      return http11.getMaxHttpRequestHeaderSize();
    }
    return -1;
  }

  private static String limitText(Request request) {
    int limit = headerSizeLimit(request);
    return limit > 0 ? limit + " bytes" : "8KB by default";
  }
}
