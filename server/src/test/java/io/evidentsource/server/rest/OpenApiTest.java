package io.evidentsource.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.server.Api;
import io.evidentsource.server.Api.Response;
import io.evidentsource.server.ServerTestBase;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/** The served OpenAPI document describes exactly the routes and parameters the server has. */
class OpenApiTest extends ServerTestBase {
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  JsonNode document() {
    Response r = api.get("/api/v1/openapi.json");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    return r.json();
  }

  @Test
  void is_an_openapi_3_1_document_served_as_stored() throws IOException {
    JsonNode doc = document();
    assertThat(doc.get("openapi").stringValue()).isEqualTo("3.1.0");
    assertThat(doc.get("info").get("title").stringValue()).isNotBlank();
    try (InputStream in = new ClassPathResource(OpenApiController.RESOURCE).getInputStream()) {
      assertThat(Api.JSON.readTree(in.readAllBytes())).isEqualTo(doc);
    }
  }

  @Test
  void documents_every_route_of_the_server_and_no_other() {
    var documented = new TreeSet<String>();
    document()
        .get("paths")
        .properties()
        .forEach(
            path -> {
              for (String member : path.getValue().propertyNames()) {
                if (HTTP_METHODS.contains(member)) {
                  documented.add(member.toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
              }
            });
    var routed = new TreeSet<String>();
    mappings
        .getHandlerMethods()
        .forEach(
            (info, method) -> {
              for (String pattern : info.getPatternValues()) {
                if (pattern.equals("/error")) {
                  continue; // the container's error dispatch, not part of the API
                }
                assertThat(info.getMethodsCondition().getMethods())
                    .as("%s must name its HTTP methods", pattern)
                    .isNotEmpty();
                info.getMethodsCondition()
                    .getMethods()
                    .forEach(m -> routed.add(m.name() + " " + withoutRegex(pattern)));
              }
            });
    assertThat(routed).isNotEmpty();
    assertThat(documented).isEqualTo(routed);
  }

  @Test
  void documents_exactly_the_query_parameters_the_server_accepts() {
    JsonNode get = document().get("paths").get("/api/v1/databases/{db}/events").get("get");
    var names = new TreeSet<String>();
    get.get("parameters").forEach(p -> names.add(p.get("name").stringValue()));
    assertThat(names).isEqualTo(new TreeSet<>(QueryParameters.GET_PARAMETERS));

    JsonNode body =
        document().get("components").get("schemas").get("QueryRequest").get("properties");
    assertThat(new TreeSet<>(body.propertyNames()))
        .isEqualTo(new TreeSet<>(QueryParameters.BODY_MEMBERS));
  }

  @Test
  void documents_every_error_code() {
    JsonNode codes =
        document()
            .get("components")
            .get("schemas")
            .get("Problem")
            .get("properties")
            .get("code")
            .get("enum");
    var documented = new TreeSet<String>();
    codes.forEach(c -> documented.add(c.stringValue()));
    var actual = new TreeSet<String>();
    Arrays.stream(ErrorCode.values()).forEach(c -> actual.add(c.code()));
    assertThat(documented).isEqualTo(actual);
  }

  @Test
  void every_reference_resolves() {
    JsonNode doc = document();
    var refs = new TreeSet<String>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/");
      assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
    }
  }

  private static void collectRefs(JsonNode node, Set<String> refs) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              e -> {
                if (e.getKey().equals("$ref")) {
                  refs.add(e.getValue().stringValue());
                } else {
                  collectRefs(e.getValue(), refs);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, refs));
    }
  }

  /**
   * {@code /events/{revision:(?!query$).+}} as the document writes it: {@code /events/{revision}}.
   */
  static String withoutRegex(String pattern) {
    return pattern.replaceAll("\\{(\\w+):[^}]*}", "{$1}");
  }
}
