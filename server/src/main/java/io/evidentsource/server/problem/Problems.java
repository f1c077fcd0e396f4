package io.evidentsource.server.problem;

import io.evidentsource.core.condition.ConditionFailedException;
import io.evidentsource.core.condition.FailedCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Builds RFC 9457 problem details ({@link Problem}): {@code type}, {@code title}, {@code status},
 * {@code detail}, {@code code}, {@code instance}, then the exception's own fields (limit,
 * attribute, index, ...), and for failed conditions {@code failed_conditions}.
 */
final class Problems {
  static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;
  private static final String TYPE_PREFIX = "urn:evidentsource:problem:";
  private static final Set<String> STANDARD =
      Set.of("type", "title", "status", "detail", "code", "instance", "failed_conditions");

  private Problems() {}

  static ResponseEntity<Problem> of(EvidentSourceException e, @Nullable String instance) {
    return of(e.code(), e.getMessage(), e.fields(), e, instance, new HttpHeaders());
  }

  static ResponseEntity<Problem> of(
      ErrorCode code,
      @Nullable String detail,
      Map<String, Object> fields,
      @Nullable EvidentSourceException source,
      @Nullable String instance,
      HttpHeaders headers) {
    HttpStatus status = ErrorStatus.of(code);
    var members = new LinkedHashMap<String, Object>();
    fields.forEach(
        (k, v) -> {
          if (!STANDARD.contains(k)) {
            members.put(k, v);
          }
        });
    if (source instanceof ConditionFailedException failed) {
      var list = new ArrayList<Problem.FailedCondition>();
      for (FailedCondition f : failed.failures()) {
        list.add(new Problem.FailedCondition(f.condition(), f.actualRevision()));
      }
      members.put("failed_conditions", list);
    }
    if (code == ErrorCode.CONTENTION_TIMEOUT
        || code == ErrorCode.COMMIT_UNKNOWN
        || code == ErrorCode.QUERY_TIMEOUT
        || code == ErrorCode.COMPONENT_MEMORY_BUSY
        || code == ErrorCode.TOO_MANY_REQUESTS) {
      headers.set(HttpHeaders.RETRY_AFTER, "1");
    } else if (code == ErrorCode.TOO_MANY_SUBSCRIPTIONS) {
      headers.set(HttpHeaders.RETRY_AFTER, "5");
    }
    var body =
        new Problem(
            TYPE_PREFIX + code.code(),
            code.defaultMessage(),
            status.value(),
            detail == null || detail.isBlank() ? code.defaultMessage() : detail,
            code.code(),
            instance,
            members);
    return ResponseEntity.status(status).headers(headers).contentType(PROBLEM_JSON).body(body);
  }
}
