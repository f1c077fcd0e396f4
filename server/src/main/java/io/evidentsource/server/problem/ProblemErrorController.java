package io.evidentsource.server.problem;

import io.evidentsource.core.error.ErrorCode;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
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

  @RequestMapping("/error")
  ResponseEntity<Problem> error(HttpServletRequest request) {
    Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = statusAttribute instanceof Integer i ? i : 500;
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    ErrorCode code = ErrorStatus.codeFor(status);
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
