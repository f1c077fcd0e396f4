package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.Api.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Real responses conform to the schemas the OpenAPI document gives for them. The checker
 * understands the subset of JSON Schema the document uses: {@code $ref}, {@code type} (also as a
 * list), {@code required}, {@code properties}, {@code additionalProperties}, {@code items}, {@code
 * allOf}, {@code oneOf}, {@code const}, {@code enum}, {@code minimum}.
 */
class OpenApiShapesTest extends ServerTestBase {
  JsonNode doc;
  String db;

  @BeforeEach
  void load() {
    doc = api.get("/api/v1/openapi.json").json();
    db = api.createDatabase();
  }

  void assertConforms(Response r, String path, String method, int status, String mediaType) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    JsonNode response =
        doc.get("paths").get(path).get(method).get("responses").get(Integer.toString(status));
    assertThat(response).as("%s %s documents %s", method, path, status).isNotNull();
    response = resolve(response);
    JsonNode schema = response.get("content").get(mediaType).get("schema");
    var errors = new ArrayList<String>();
    check(r.json(), schema, "$", errors);
    assertThat(errors).as(r.text()).isEmpty();
  }

  @Test
  void catalog_responses() {
    assertConforms(
        api.postJson("/api/v1/databases", "{\"name\":\"shape-" + System.nanoTime() + "\"}"),
        "/api/v1/databases",
        "post",
        201,
        "application/json");
    assertConforms(
        api.get("/api/v1/databases"), "/api/v1/databases", "get", 200, "application/json");
    assertConforms(
        api.get("/api/v1/databases/" + db),
        "/api/v1/databases/{db}",
        "get",
        200,
        "application/json");
    assertConforms(
        api.get("/api/v1/databases/nope-x"),
        "/api/v1/databases/{db}",
        "get",
        404,
        "application/problem+json");
  }

  @Test
  void append_and_query_responses() {
    String events = "/api/v1/databases/" + db + "/events";
    assertConforms(
        api.postJson(
            "/api/v1/databases/" + db + "/transactions",
            "{\"events\":["
                + Api.event("1", "s", "t", "x", "\"tags\":\"a\",\"n\":3,\"data\":[1]")
                + "]}"),
        "/api/v1/databases/{db}/transactions",
        "post",
        201,
        "application/json");
    assertConforms(
        api.postJson(
            "/api/v1/databases/" + db + "/transactions",
            "{\"events\":["
                + Api.event("2", "s", "t", null)
                + "],\"conditions\":["
                + "{\"type\":\"max\",\"selector\":{\"type\":\"equals\",\"attr\":{\"subject\":\"x\"}},\"revision\":0}]}"),
        "/api/v1/databases/{db}/transactions",
        "post",
        409,
        "application/problem+json");
    assertConforms(
        api.post(events, "application/x-ndjson", Api.event("3", "s", "t", null) + "\n"),
        "/api/v1/databases/{db}/events",
        "post",
        201,
        "application/json");
    assertConforms(
        api.post(
            events,
            "application/cloudevents+json",
            Api.event(
                "4",
                "s",
                "t",
                null,
                "\"datacontenttype\":\"application/octet-stream\",\"data_base64\":\"AA==\"")),
        "/api/v1/databases/{db}/events",
        "post",
        201,
        "application/json");
    assertConforms(
        api.get(events + "?limit=1"),
        "/api/v1/databases/{db}/events",
        "get",
        200,
        "application/json");
    assertConforms(
        api.post(events + "/query", "application/json", "{\"selector\":{\"type\":\"any\"}}"),
        "/api/v1/databases/{db}/events/query",
        "post",
        200,
        "application/json");
    assertConforms(
        api.get(events + "/1"),
        "/api/v1/databases/{db}/events/{revision}",
        "get",
        200,
        "application/cloudevents+json");
    assertConforms(
        api.get(events + "?limit=5000"),
        "/api/v1/databases/{db}/events",
        "get",
        400,
        "application/problem+json");
  }

  private JsonNode resolve(JsonNode node) {
    while (node.has("$ref")) {
      node = doc.at(node.get("$ref").stringValue().substring(1));
    }
    return node;
  }

  private void check(JsonNode value, JsonNode schema, String at, List<String> errors) {
    if (schema.has("$ref")) {
      check(value, resolve(schema), at, errors);
    }
    if (schema.has("allOf")) {
      schema.get("allOf").forEach(s -> check(value, s, at, errors));
    }
    if (schema.has("oneOf")) {
      int matching = 0;
      for (JsonNode s : schema.get("oneOf")) {
        var sub = new ArrayList<String>();
        check(value, s, at, sub);
        matching += sub.isEmpty() ? 1 : 0;
      }
      if (matching != 1) {
        errors.add(at + ": matches " + matching + " of the oneOf alternatives");
      }
    }
    if (schema.has("const") && !schema.get("const").equals(value)) {
      errors.add(at + ": expected " + schema.get("const") + " but was " + value);
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode e : schema.get("enum")) {
        found |= e.equals(value);
      }
      if (!found) {
        errors.add(at + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
    if (schema.has("type")) {
      var types = new ArrayList<String>();
      if (schema.get("type").isArray()) {
        schema.get("type").forEach(t -> types.add(t.stringValue()));
      } else {
        types.add(schema.get("type").stringValue());
      }
      if (types.stream().noneMatch(t -> hasType(value, t))) {
        errors.add(at + ": expected " + types + " but was " + value.getNodeType());
        return;
      }
    }
    if (schema.has("minimum")
        && value.isNumber()
        && value.longValue() < schema.get("minimum").longValue()) {
      errors.add(at + ": " + value + " is below the minimum " + schema.get("minimum"));
    }
    if (value.isObject()) {
      if (schema.has("required")) {
        schema
            .get("required")
            .forEach(
                r -> {
                  if (!value.has(r.stringValue())) {
                    errors.add(at + ": missing required member " + r.stringValue());
                  }
                });
      }
      JsonNode properties = schema.get("properties");
      JsonNode additional = schema.get("additionalProperties");
      value
          .properties()
          .forEach(
              member -> {
                String name = member.getKey();
                if (properties != null && properties.has(name)) {
                  check(member.getValue(), properties.get(name), at + "." + name, errors);
                } else if (additional != null
                    && additional.isBoolean()
                    && !additional.booleanValue()) {
                  errors.add(at + ": undocumented member " + name);
                } else if (additional != null && additional.isObject()) {
                  check(member.getValue(), additional, at + "." + name, errors);
                }
              });
    }
    if (value.isArray() && schema.has("items")) {
      int i = 0;
      for (JsonNode item : value) {
        check(item, schema.get("items"), at + "[" + i++ + "]", errors);
      }
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isString();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> false;
    };
  }
}
