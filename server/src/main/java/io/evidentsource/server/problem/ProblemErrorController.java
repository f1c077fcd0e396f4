package io.evidentsource.server.problem;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.server.request.FatalErrors;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers errors that happen outside the controllers (in filters, or reported by the servlet
 * container) with the same problem details as {@link ApiExceptionHandler}, instead of Spring Boot's
 * default error body.
 */
@RestController
class ProblemErrorController implements ErrorController {
  private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

  @RequestMapping("/error")
  ResponseEntity<Problem> error(HttpServletRequest request) {
    Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = statusAttribute instanceof Integer i ? i : 500;
    if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable failure) {
      FatalErrors.haltIfOutOfMemory(failure);
    }
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    ErrorCode code = ErrorStatus.codeFor(status);
    if (status >= 500) {
      log.atWarn()
          .addKeyValue("code", code.code())
          .addKeyValue("status", status)
          .log("{} answered {} {} from the servlet container", uri, status, code.code());
    }
    String detail =
        code == ErrorCode.INTERNAL
            ? "an unexpected error occurred; the server log has the details"
            : code.defaultMessage();
    return Problems.of(
        code,
        detail,
        new LinkedHashMap<>(),
        null,
        uri instanceof String s ? s : null,
        new HttpHeaders());
  }
}
