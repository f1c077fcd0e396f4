package io.evidentsource.server.rest;

import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.server.problem.ProblemResponses;
import io.evidentsource.server.request.RequestAdmission;
import io.evidentsource.server.security.Callers;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Admits each REST request under {@code /api/v1/databases} through the {@link RequestAdmission}
 * (docs/limits.md#requests-in-flight) before its body is read: by the database its path names and,
 * with security on, by its API key. A request refused there gets 429 {@code too_many_requests} with
 * {@code Retry-After: 1}. Live tails ({@code .../events/live}) are not counted: they hold no thread
 * and have their own limits. A streamed answer (NDJSON) keeps its place until the stream ends.
 */
final class AdmissionFilter extends OncePerRequestFilter {
  static final String DATABASES = "/api/v1/databases";

  private final RequestAdmission admission;
  private final JsonMapper json;

  AdmissionFilter(RequestAdmission admission, JsonMapper json) {
    this.admission = admission;
    this.json = json;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = path(request);
    return !(path.equals(DATABASES) || path.startsWith(DATABASES + "/"))
        || path.endsWith("/events/live");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    RequestAdmission.Permit permit;
    try {
      permit = admission.admit(database(path(request)), Callers.current().keyName());
    } catch (EvidentSourceException refused) {
      ProblemResponses.write(
          response,
          json,
          refused.code(),
          refused.getMessage(),
          refused.fields(),
          request.getRequestURI(),
          new HttpHeaders());
      return;
    }
    boolean async = false;
    try {
      chain.doFilter(request, response);
      if (request.isAsyncStarted()) {
        request.getAsyncContext().addListener(new Release(permit));
        async = true;
      }
    } finally {
      if (!async) {
        permit.close();
      }
    }
  }

  private static String path(HttpServletRequest request) {
    return request.getRequestURI().substring(request.getContextPath().length());
  }

  /** The database segment of {@code /api/v1/databases/{db}/...}, or null for the catalog. */
  static @Nullable String database(String path) {
    if (!path.startsWith(DATABASES + "/")) {
      return null;
    }
    int start = DATABASES.length() + 1;
    int end = path.indexOf('/', start);
    String db = end < 0 ? path.substring(start) : path.substring(start, end);
    return db.isEmpty() ? null : db;
  }

  /** Gives a streamed answer's place back when its stream ends, however it ends. */
  private record Release(RequestAdmission.Permit permit) implements AsyncListener {
    @Override
    public void onComplete(AsyncEvent event) {
      permit.close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      permit.close();
    }

    @Override
    public void onError(AsyncEvent event) {
      permit.close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // the same request goes on; its place with it
    }
  }

  /** After Spring Security's chain (order -100), so that the caller is known. */
  @Configuration(proxyBeanMethods = false)
  static class Registration {
    @Bean
    FilterRegistrationBean<AdmissionFilter> admissionFilter(
        RequestAdmission admission, JsonMapper json) {
      var registration = new FilterRegistrationBean<>(new AdmissionFilter(admission, json));
      registration.setOrder(0);
      registration.setAsyncSupported(true);
      return registration;
    }
  }
}
