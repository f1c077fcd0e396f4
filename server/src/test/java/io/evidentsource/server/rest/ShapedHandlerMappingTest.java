package io.evidentsource.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.ServerTestBase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * The lookup that checks only the mappings a path's shape allows answers every request as Spring's
 * lookup over all mappings does: the same handler, the same path variables and attributes, the same
 * 404 (no handler), 405, 406 and 415 failures with the same messages.
 */
class ShapedHandlerMappingTest extends ServerTestBase {
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  private static final List<String> CONTENT_TYPES =
      List.of(
          "",
          "application/json",
          "application/cloudevents+json",
          "application/x-ndjson",
          "application/octet-stream",
          "text/plain");
  private static final List<String> ACCEPTS =
      List.of("", "application/json", "application/x-ndjson", "text/event-stream", "image/png");

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  ShapedHandlerMapping shaped() {
    assertThat(mappings).isInstanceOf(ShapedHandlerMapping.class);
    return (ShapedHandlerMapping) mappings;
  }

  /** A path for every pattern of the application, and paths that miss or nearly match. */
  List<String> paths() {
    var paths = new TreeSet<String>();
    mappings
        .getHandlerMethods()
        .keySet()
        .forEach(
            info -> {
              for (String pattern : info.getPatternValues()) {
                String path =
                    pattern
                        .replaceAll("\\{revision:[^}]*}", "17")
                        .replaceAll("\\{\\*\\w+}", "a/b")
                        .replaceAll("\\{\\w+}", "v1");
                paths.add(path);
                paths.add(path + "/");
                paths.add(path + "/extra");
                paths.add(path.replace("/v1/databases/v1", "/v1/databases/query"));
              }
            });
    paths.addAll(
        List.of(
            "/",
            "/api",
            "/api/v1",
            "/api/v1/nothing",
            "/API/v1/databases",
            "/api/v1/databases/",
            "/api/v1/databases//transactions",
            "/api/v1/databases/a%2Fb/transactions",
            "/api/v1/databases/p;x=1/transactions",
            "/api/v1/databases/transactions/transactions",
            "/api/v1/databases/p/events/query",
            "/api/v1/databases/p/events/live",
            "/api/v1/databases/p/events/%71uery",
            "/api/v1/databases/p/state-views/v/versions/1/module/x",
            "/api/v1/databases/p/nope",
            "/ui/anything",
            "/error/x"));
    return new ArrayList<>(paths);
  }

  static MockHttpServletRequest request(
      String method, String path, String contentType, String accept) {
    var request = new MockHttpServletRequest(method, path);
    if (!contentType.isEmpty()) {
      request.setContentType(contentType);
    }
    if (!accept.isEmpty()) {
      request.addHeader("Accept", accept);
    }
    ServletRequestPathUtils.parseAndCache(request);
    return request;
  }

  /** What a lookup answered: the handler or the failure, and the attributes it set. */
  static String outcome(
      ShapedHandlerMapping mapping, MockHttpServletRequest request, boolean shaped) {
    String answer;
    try {
      HandlerMethod handler = mapping.lookup(request, shaped);
      answer = handler == null ? "no handler" : handler.toString();
    } catch (Exception e) {
      answer = e.getClass().getName() + ": " + e.getMessage();
    }
    var attributes = new TreeSet<String>();
    for (String name : Collections.list(request.getAttributeNames())) {
      attributes.add(name + "=" + request.getAttribute(name));
    }
    return answer + " " + attributes;
  }

  @Test
  void answers_every_route_method_and_media_type_as_springs_lookup_over_all_mappings() {
    ShapedHandlerMapping mapping = shaped();
    int compared = 0;
    var answers = new TreeSet<String>();
    for (String path : paths()) {
      for (String method : METHODS) {
        for (String contentType : CONTENT_TYPES) {
          for (String accept : ACCEPTS) {
            String spring = outcome(mapping, request(method, path, contentType, accept), false);
            String ours = outcome(mapping, request(method, path, contentType, accept), true);
            assertThat(ours)
                .as("%s %s, Content-Type %s, Accept %s", method, path, contentType, accept)
                .isEqualTo(spring);
            answers.add(spring.substring(0, Math.min(spring.length(), 100)));
            compared++;
          }
        }
      }
    }
    assertThat(compared).isGreaterThan(1000);
    assertThat(answers)
        .as("the comparison covers handlers found, not found and refused")
        .anyMatch(a -> a.startsWith("io.evidentsource.server.rest.AppendController"))
        .anyMatch(a -> a.startsWith("no handler"))
        .anyMatch(a -> a.contains("HttpRequestMethodNotSupportedException"));
  }

  @Test
  void checks_only_a_few_mappings_in_full_for_an_append() {
    ShapedHandlerMapping mapping = shaped();
    int all = mappings.getHandlerMethods().size();
    int forAppend =
        mapping.candidateCount(
            request("POST", "/api/v1/databases/orders/transactions", "application/json", ""));
    assertThat(forAppend).isPositive().isLessThan(all / 4);
  }
}
