package io.evidentsource.server.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.common.KeyValues;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler.TracingContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * {@link HttpServerRequestConvention} gives a request the key values Spring's convention gives it,
 * kept or not, and {@code http.url} only with a recorded span.
 */
class HttpServerRequestConventionTest {
  private final HttpServerRequestConvention convention =
      new HttpServerRequestConvention("http.server.requests");
  private final DefaultServerRequestObservationConvention spring =
      new DefaultServerRequestObservationConvention("http.server.requests");

  @Test
  void low_cardinality_key_values_are_springs_for_every_request_kept_or_not() {
    List<ServerRequestObservationContext> requests = new ArrayList<>();
    for (String method : List.of("GET", "POST", "BREW")) {
      for (String pattern : new String[] {null, "", "/api/v1/databases/{db}/transactions"}) {
        for (int status : new int[] {200, 201, 301, 404, 409, 500, 599}) {
          for (Throwable error :
              new Throwable[] {null, new IllegalStateException(), new RuntimeException() {}}) {
            requests.add(context(method, pattern, status, error));
          }
        }
      }
    }
    for (int round = 0; round < 2; round++) {
      for (var request : requests) {
        assertThat(convention.getLowCardinalityKeyValues(request))
            .as("%s %s %s", request.getCarrier().getMethod(), request.getPathPattern(), round)
            .isEqualTo(spring.getLowCardinalityKeyValues(request));
      }
    }
  }

  @Test
  void beyond_the_cap_key_values_are_still_springs_and_no_more_are_kept() {
    int routes = HttpServerRequestConvention.MAX_KEPT + 50;
    for (int round = 0; round < 2; round++) {
      for (int route = 0; route < routes; route++) {
        var request = context("GET", "/route/" + route, route % 2 == 0 ? 200 : 404, null);
        assertThat(convention.getLowCardinalityKeyValues(request))
            .as("route %d, round %d", route, round)
            .isEqualTo(spring.getLowCardinalityKeyValues(request));
      }
      assertThat(convention.keptCombinations()).isEqualTo(HttpServerRequestConvention.MAX_KEPT);
    }
  }

  @Test
  void a_change_after_a_kept_request_is_seen() {
    var request = context("POST", "/x", 201, null);
    assertThat(convention.getLowCardinalityKeyValues(request).stream())
        .anyMatch(kv -> kv.getKey().equals("status") && kv.getValue().equals("201"));
    request.getResponse().setStatus(503);
    assertThat(convention.getLowCardinalityKeyValues(request))
        .isEqualTo(spring.getLowCardinalityKeyValues(request));
  }

  @Test
  void http_url_only_for_a_recorded_span() {
    var request = context("GET", "/x", 200, null);
    assertThat(convention.getHighCardinalityKeyValues(request)).isEqualTo(KeyValues.empty());

    var tracing = new TracingContext();
    Span unrecorded = mock(Span.class);
    when(unrecorded.isNoop()).thenReturn(true);
    tracing.setSpan(unrecorded);
    request.put(TracingContext.class, tracing);
    assertThat(convention.getHighCardinalityKeyValues(request)).isEqualTo(KeyValues.empty());

    Span recorded = mock(Span.class);
    when(recorded.isNoop()).thenReturn(false);
    tracing.setSpan(recorded);
    assertThat(convention.getHighCardinalityKeyValues(request))
        .isEqualTo(spring.getHighCardinalityKeyValues(request))
        .isEqualTo(KeyValues.of("http.url", "/api/v1/x"));
  }

  private static ServerRequestObservationContext context(
      String method, String pattern, int status, Throwable error) {
    var request = new MockHttpServletRequest(method, "/api/v1/x");
    var response = new MockHttpServletResponse();
    response.setStatus(status);
    var context = new ServerRequestObservationContext(request, response);
    context.setPathPattern(pattern);
    if (error != null) {
      context.setError(error);
    }
    return context;
  }
}
