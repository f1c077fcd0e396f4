package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the tests: real requests with {@link HttpClient}. */
public final class Api {
  public static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String base;

  public Api(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** A response, with its body read fully. */
  @SuppressWarnings("ArrayRecordComponent") // one response as a test reads it, never compared
  public record Response(int status, HttpHeaders headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      return JSON.readTree(body);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("Content-Type");
    }

    /** The NDJSON body as one JSON node per line. */
    public List<JsonNode> lines() {
      var out = new ArrayList<JsonNode>();
      for (String line : text().split("\n", -1)) {
        if (!line.isBlank()) {
          out.add(JSON.readTree(line));
        }
      }
      return out;
    }

    /** Asserts a problem-details response with this status and code; returns its body. */
    public JsonNode problem(int expectedStatus, String code) {
      assertThat(status).as("status of %s", text()).isEqualTo(expectedStatus);
      assertThat(contentType()).startsWith("application/problem+json");
      JsonNode p = json();
      assertThat(p.get("code").stringValue()).isEqualTo(code);
      assertThat(p.get("status").intValue()).isEqualTo(expectedStatus);
      assertThat(p.get("type").stringValue()).isEqualTo("urn:evidentsource:problem:" + code);
      assertThat(p.get("title").stringValue()).isNotBlank();
      assertThat(p.get("detail").stringValue()).isNotBlank();
      assertThat(text()).doesNotContain("Exception").doesNotContain("\tat ");
      return p;
    }
  }

  public Response get(String path, String... headers) {
    return send(request(path, headers).GET());
  }

  public Response delete(String path) {
    return send(request(path).DELETE());
  }

  public Response post(String path, String contentType, String body, String... headers) {
    return post(path, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  public Response post(String path, String contentType, byte[] body, String... headers) {
    var b = request(path, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  /** Posts without a Content-Length (chunked transfer coding). */
  public Response postChunked(String path, String contentType, byte[] body) {
    var b =
        request(path)
            .header("Content-Type", contentType)
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(body)));
    return send(b);
  }

  public Response postJson(String path, String body) {
    return post(path, "application/json", body);
  }

  public Response send(String method, String path, String... headers) {
    return send(request(path, headers).method(method, HttpRequest.BodyPublishers.noBody()));
  }

  private HttpRequest.Builder request(String path, String... headers) {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  private static Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------------------------------ conveniences

  /** Creates a database with a fresh name and returns the name. */
  public String createDatabase() {
    String name = "db-" + UUID.randomUUID().toString().substring(0, 13).replace("-", "");
    Response r = postJson("/api/v1/databases", "{\"name\":\"" + name + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return name;
  }

  /** The head revision of a database. */
  public long revision(String db) {
    Response r = get("/api/v1/databases/" + db);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().get("revision").longValue();
  }

  /** Appends events (JSON objects) in one transaction; returns the result. */
  public JsonNode append(String db, String... events) {
    Response r =
        postJson(
            "/api/v1/databases/" + db + "/transactions",
            "{\"events\":[" + String.join(",", events) + "]}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  /** Every event matching a GET query string (paged through). */
  public List<JsonNode> events(String db, String query) {
    var out = new ArrayList<JsonNode>();
    String token = null;
    do {
      String q = query + (token == null ? "" : "&page_token=" + encode(token));
      Response r = get("/api/v1/databases/" + db + "/events?limit=1000&" + q);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      JsonNode page = r.json();
      page.get("events").forEach(out::add);
      JsonNode next = page.get("next_page_token");
      token = next.isNull() ? null : next.stringValue();
    } while (token != null);
    return out;
  }

  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A minimal event JSON object. */
  public static String event(String id, String source, String type, String subject) {
    return "{\"specversion\":\"1.0\",\"id\":\""
        + id
        + "\",\"source\":\""
        + source
        + "\",\"type\":\""
        + type
        + "\""
        + (subject == null ? "" : ",\"subject\":\"" + subject + "\"")
        + "}";
  }

  /** A minimal event with extra members, e.g. {@code "\"tags\":\"a,b\""}. */
  public static String event(String id, String source, String type, String subject, String extra) {
    String e = event(id, source, type, subject);
    return e.substring(0, e.length() - 1) + "," + extra + "}";
  }
}
