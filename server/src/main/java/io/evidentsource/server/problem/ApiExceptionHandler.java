package io.evidentsource.server.problem;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.server.request.FatalErrors;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one place where failures become HTTP responses: core {@link EvidentSourceException}s and
 * Spring's own request errors are answered with problem details carrying a stable {@code code};
 * anything else is a logged 500 {@code internal} without internals in the body.
 */
@RestControllerAdvice
class ApiExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

  /** When this process started, if its databases live in memory (profile {@code memory}). */
  private final @Nullable Instant memoryServerStarted;

  ApiExceptionHandler(Environment environment) {
    this.memoryServerStarted =
        environment.matchesProfiles("memory")
            ? Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime())
            : null;
  }

  @ExceptionHandler(EvidentSourceException.class)
  ResponseEntity<Problem> evidentSource(EvidentSourceException e, HttpServletRequest request) {
    var response =
        e.code() == ErrorCode.DATABASE_NOT_FOUND && memoryServerStarted != null
            ? Problems.of(
                e.code(),
                e.getMessage()
                    + "; this server keeps its databases in memory (profile 'memory') and started"
                    + " empty at "
                    + memoryServerStarted
                    + ": databases created before then are gone",
                withRestartHint(e.fields()),
                e,
                request.getRequestURI(),
                new HttpHeaders())
            : Problems.of(e, request.getRequestURI());
    int status = response.getStatusCode().value();
    if (status >= 500) {
      // every 5xx is logged with its code (docs/operations.md#logs); an internal one with its trace
      log.atLevel(e.code() == ErrorCode.INTERNAL ? Level.ERROR : Level.WARN)
          .setCause(e.code() == ErrorCode.INTERNAL ? e : null)
          .addKeyValue("code", e.code().code())
          .addKeyValue("status", status)
          .log(
              "{} {} answered {} {}: {}",
              request.getMethod(),
              request.getRequestURI(),
              status,
              e.code().code(),
              e.getMessage());
    }
    return response;
  }

  private Map<String, Object> withRestartHint(Map<String, Object> fields) {
    var out = new LinkedHashMap<String, Object>(fields);
    out.put("storage", "memory");
    out.put("server_started_at", String.valueOf(memoryServerStarted));
    return out;
  }

  @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
  ResponseEntity<Problem> notFound(Exception e, HttpServletRequest request) {
    return problem(
        ErrorCode.NOT_FOUND,
        "no resource at "
            + request.getMethod()
            + " "
            + request.getRequestURI()
            + "; see /api/v1/openapi.json for the API",
        Map.of(),
        request,
        new HttpHeaders());
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ResponseEntity<Problem> methodNotAllowed(
      HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
    var headers = new HttpHeaders();
    String allowed = "";
    if (e.getSupportedHttpMethods() != null) {
      headers.setAllow(e.getSupportedHttpMethods());
      allowed =
          e.getSupportedHttpMethods().stream()
              .map(Object::toString)
              .sorted()
              .collect(Collectors.joining(", "));
    }
    return problem(
        ErrorCode.METHOD_NOT_ALLOWED,
        request.getMethod()
            + " is not allowed on "
            + request.getRequestURI()
            + (allowed.isEmpty() ? "" : "; allowed: " + allowed),
        Map.of("method", request.getMethod()),
        request,
        headers);
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<Problem> unsupportedMediaType(
      HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
    return problem(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "content type '"
            + request.getContentType()
            + "' is not supported here; supported: "
            + e.getSupportedMediaTypes(),
        Map.of(),
        request,
        new HttpHeaders());
  }

  @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
  ResponseEntity<Problem> notAcceptable(
      HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
    return problem(
        ErrorCode.NOT_ACCEPTABLE,
        "none of the accepted media types can be produced; available: "
            + e.getSupportedMediaTypes(),
        Map.of(),
        request,
        new HttpHeaders());
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<Problem> missingParameter(
      MissingServletRequestParameterException e, HttpServletRequest request) {
    return problem(
        ErrorCode.INVALID_QUERY,
        "required parameter '" + e.getParameterName() + "' is missing",
        Map.of("parameter", e.getParameterName()),
        request,
        new HttpHeaders());
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Problem> typeMismatch(
      MethodArgumentTypeMismatchException e, HttpServletRequest request) {
    return problem(
        ErrorCode.INVALID_QUERY,
        "parameter '" + e.getName() + "' has an invalid value '" + e.getValue() + "'",
        Map.of("parameter", e.getName()),
        request,
        new HttpHeaders());
  }

  @ExceptionHandler(MissingRequestHeaderException.class)
  ResponseEntity<Problem> missingHeader(
      MissingRequestHeaderException e, HttpServletRequest request) {
    return problem(
        ErrorCode.MALFORMED_REQUEST,
        "required header '" + e.getHeaderName() + "' is missing",
        Map.of("header", e.getHeaderName()),
        request,
        new HttpHeaders());
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<Problem> unreadable(
      HttpMessageNotReadableException e, HttpServletRequest request) {
    return problem(
        ErrorCode.MALFORMED_REQUEST,
        "the request body could not be read",
        Map.of(),
        request,
        new HttpHeaders());
  }

  @ExceptionHandler(MaxUploadSizeExceededException.class)
  ResponseEntity<Problem> uploadTooLarge(
      MaxUploadSizeExceededException e, HttpServletRequest request) {
    var fields = new java.util.LinkedHashMap<String, Object>();
    if (e.getMaxUploadSize() > 0) {
      fields.put("limit", e.getMaxUploadSize());
    }
    fields.put("limit_name", "spring.servlet.multipart.max-request-size");
    return problem(
        ErrorCode.BODY_TOO_LARGE,
        "the multipart upload is larger than the upload limit"
            + (e.getMaxUploadSize() > 0 ? " of " + e.getMaxUploadSize() + " bytes" : "")
            + " (spring.servlet.multipart.max-request-size / max-file-size)",
        fields,
        request,
        new HttpHeaders());
  }

  /**
   * A multipart body the container cannot parse: no boundary in the content type, a body that does
   * not follow its boundary, a part without headers. Spring parses any {@code multipart/*} request
   * before the route is chosen, so this covers every route, including those that take no body.
   */
  @ExceptionHandler(MultipartException.class)
  ResponseEntity<Problem> unreadableMultipart(MultipartException e, HttpServletRequest request) {
    if (e instanceof MaxUploadSizeExceededException tooLarge) {
      return uploadTooLarge(tooLarge, request);
    }
    Throwable cause = e.getCause() == null ? e : e.getCause();
    return problem(
        ErrorCode.MALFORMED_REQUEST,
        "the multipart body cannot be read ("
            + excerpt(cause.getMessage())
            + "); send multipart/form-data with a boundary parameter and parts that follow it, as"
            + " browsers and curl -F do",
        Map.of("content_type", excerpt(request.getContentType())),
        request,
        new HttpHeaders());
  }

  /**
   * Parameters the container cannot decode ({@code ?=x}, {@code ?a=%ZZ}), or that Spring Security's
   * firewall refuses (control characters in a name), on a route that reads them without {@code
   * rest.RequestParameters}, which answers {@code invalid_query} itself.
   */
  @ExceptionHandler({InvalidParameterException.class, RequestRejectedException.class})
  ResponseEntity<Problem> invalidParameters(Exception e, HttpServletRequest request) {
    return problem(
        ErrorCode.MALFORMED_REQUEST,
        "the request parameters cannot be decoded: every parameter needs a name, and percent"
            + " escapes must encode UTF-8",
        Map.of(),
        request,
        new HttpHeaders());
  }

  private static String excerpt(@Nullable String text) {
    if (text == null) {
      return "";
    }
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  @ExceptionHandler(AsyncRequestNotUsableException.class)
  void clientGone(AsyncRequestNotUsableException e) {
    // The client went away while a response was streaming; nothing left to answer.
    log.debug("client disconnected: {}", e.getMessage());
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Problem> unexpected(Exception e, HttpServletRequest request) {
    FatalErrors.haltIfOutOfMemory(e); // Spring wraps an Error of a handler in a ServletException
    if (e instanceof ErrorResponse spring) {
      // One of Spring's request errors not mapped above: keep its status, add a code.
      ErrorCode code = ErrorStatus.codeFor(spring.getStatusCode().value());
      if (code != ErrorCode.INTERNAL) {
        String detail =
            Objects.requireNonNullElse(spring.getBody().getDetail(), code.defaultMessage());
        return problem(code, detail, Map.of(), request, new HttpHeaders());
      }
    }
    log.atError()
        .setCause(e)
        .addKeyValue("code", ErrorCode.INTERNAL.code())
        .addKeyValue("status", 500)
        .log("{} {} answered 500 internal", request.getMethod(), request.getRequestURI());
    return internal(request);
  }

  private static ResponseEntity<Problem> internal(HttpServletRequest request) {
    return problem(
        ErrorCode.INTERNAL,
        "an unexpected error occurred; the server log has the details",
        Map.of(),
        request,
        new HttpHeaders());
  }

  private static ResponseEntity<Problem> problem(
      ErrorCode code,
      String detail,
      Map<String, Object> fields,
      HttpServletRequest request,
      HttpHeaders headers) {
    return Problems.of(
        code, detail, new LinkedHashMap<>(fields), null, request.getRequestURI(), headers);
  }
}
