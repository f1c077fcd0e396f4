package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The hostile inputs of issue 18, each answered with a 4xx problem detail and a stable code, never
 * a 5xx: broken multipart on any route, undecodable query strings, odd parameter sets, effective
 * times at and beyond the edges of the indexed range, selectors nested or wide beyond the limits,
 * overlong UTF-8 and forged page tokens. After each, the database still reads and writes.
 */
class HostileInputTest extends ServerTestBase {
  String db;

  @BeforeEach
  void createDatabase() {
    db = api.createDatabase();
    api.append(db, Api.event("e1", "s", "t", "a"), Api.event("e2", "s", "t", "b"));
  }

  /** The database still answers queries and appends. */
  void stillWorks() {
    assertThat(api.get("/api/v1/databases/" + db + "/events?order=effective_time").status())
        .isEqualTo(200);
    assertThat(api.append(db, Api.event("after-" + UUID.randomUUID(), "s", "t", "c"))).isNotNull();
  }

  @Nested
  class multipart {
    static final String BROKEN = "--X\r\n[]--X--\r\n";

    @ParameterizedTest
    @ValueSource(
        strings = {"multipart/form-data", "multipart/mixed", "multipart/form-data; boundary="})
    void without_a_usable_boundary_is_400_on_any_route_even_a_get(String type) {
      api.send("GET", "/api/v1/databases", "Content-Type", type).problem(400, "malformed_request");
      api.send("GET", "/api/v1/databases/" + db + "/events", "Content-Type", type)
          .problem(400, "malformed_request");
      api.post("/api/v1/databases", type, "{\"name\":\"x\"}").problem(400, "malformed_request");
    }

    @Test
    void a_body_that_does_not_follow_its_boundary_is_400_on_uploads_and_commands() {
      String type = "multipart/form-data; boundary=X";
      var publish = api.post("/api/v1/databases/" + db + "/state-views", type, BROKEN);
      assertThat(publish.problem(400, "malformed_request").get("detail").stringValue())
          .contains("multipart");
      api.post("/api/v1/databases/" + db + "/state-changes", type, BROKEN)
          .problem(400, "malformed_request");
      api.post("/api/v1/databases/" + db + "/state-changes/x/commands", type, BROKEN)
          .problem(400, "malformed_request");
      api.post("/api/v1/databases/" + db + "/state-changes/x/commands", "multipart/mixed", "x")
          .problem(400, "malformed_request");
      stillWorks();
    }

    @Test
    void a_part_without_headers_or_a_truncated_body_is_400() {
      String type = "multipart/form-data; boundary=X";
      for (String body :
          new String[] {
            "--X\r\n\r\nno headers\r\n--X--\r\n",
            "--X\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{}",
            "--X--",
            ""
          }) {
        var r = api.post("/api/v1/databases/" + db + "/state-views", type, body);
        assertThat(r.status()).as(body).isEqualTo(400);
        assertThat(r.json().get("code").stringValue()).isIn("malformed_request", "malformed_json");
      }
    }
  }

  @Nested
  class query_strings {
    @ParameterizedTest
    @ValueSource(strings = {"=x", "a=%ZZ", "q=%C0%AF", "=", "stream=%", "subject=%FF"})
    void that_cannot_be_decoded_are_400_invalid_query_on_queries_live_tails_and_views(
        String query) {
      for (String path :
          new String[] {
            "/api/v1/databases/" + db + "/events",
            "/api/v1/databases/" + db + "/events/live",
            "/api/v1/databases/" + db + "/state-views/v"
          }) {
        var r = raw(path + "?" + query);
        assertThat(r.status()).as(path + "?" + query).isEqualTo(400);
        assertThat(r.code()).as(path + "?" + query).isEqualTo("invalid_query");
      }
    }

    @Test
    void a_request_line_beyond_the_header_size_limit_is_414_request_line_too_long_naming_it() {
      var r = raw("/api/v1/databases/" + db + "/events?q=" + "(".repeat(20_000));
      assertThat(r.status()).isEqualTo(414);
      assertThat(r.code()).isEqualTo("request_line_too_long");
      JsonNode problem = Api.JSON.readTree(r.body());
      assertThat(problem.get("limit").asInt()).isEqualTo(8192);
      assertThat(problem.get("limit_name").stringValue())
          .isEqualTo("server.max-http-request-header-size");
    }

    @Test
    void headers_beyond_the_header_size_limit_are_431_headers_too_large_naming_it() {
      var r = raw("/api/v1/databases/" + db + "/events", "X-Padding: " + "p".repeat(10_000));
      assertThat(r.status()).isEqualTo(431);
      assertThat(r.code()).isEqualTo("headers_too_large");
      JsonNode problem = Api.JSON.readTree(r.body());
      assertThat(problem.get("limit").asInt()).isEqualTo(8192);
      assertThat(problem.get("limit_name").stringValue())
          .isEqualTo("server.max-http-request-header-size");
    }

    @Test
    void an_empty_q_beside_other_filters_adds_no_condition() {
      var r = api.get("/api/v1/databases/" + db + "/events?q=&stream=s&q=%20");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("events").size()).isEqualTo(2);
    }
  }

  @Nested
  class methods {
    @ParameterizedTest
    @ValueSource(strings = {"QUERY", "PROPFIND", "PATCH"})
    void that_no_route_takes_are_405_with_the_routes_allow_header_and_echo_nothing(String method) {
      var r =
          api.send(method, "/api/v1/databases/" + db + "/state-views", "X-Secret", "do-not-echo");
      r.problem(405, "method_not_allowed");
      assertThat(java.util.regex.Pattern.compile(",\\s*").splitAsStream(r.header("Allow")))
          .containsExactlyInAnyOrder("GET", "POST");
      assertThat(r.text()).doesNotContain("do-not-echo");
    }

    @Test
    void trace_is_405_from_the_container_and_echoes_nothing() {
      var r =
          api.send("TRACE", "/api/v1/databases/" + db + "/state-views", "X-Secret", "do-not-echo");
      r.problem(405, "method_not_allowed");
      assertThat(r.text()).doesNotContain("do-not-echo");
    }
  }

  @Nested
  class effective_times {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "9999-12-31T23:59:59Z",
          "0001-01-01T00:00:00Z",
          "1677-09-21T00:12:43Z",
          "2262-04-11T23:47:17Z",
          "1677-09-21T00:12:43.145224191Z",
          "2262-04-11T23:47:16.854775808Z"
        })
    void beyond_the_indexed_range_are_refused_at_append_and_accepted_as_query_bounds(String time) {
      var appended =
          api.post(
              "/api/v1/databases/" + db + "/events",
              "application/cloudevents+json",
              "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"s\",\"type\":\"t\",\"time\":\""
                  + time
                  + "\"}");
      assertThat(appended.problem(400, "invalid_attribute").get("detail").stringValue())
          .contains("1677-09-21T00:12:43.145224192Z")
          .contains("2262-04-11T23:47:16.854775807Z");
      for (String parameter :
          new String[] {
            "as_of_effective_time=" + time,
            "as_of_transaction_time=" + time,
            "as_of_effective_time=" + time + "&order=effective_time&direction=backward",
            "as_of_transaction_time=" + time + "&as_of_effective_time=" + time
          }) {
        var r = api.get("/api/v1/databases/" + db + "/events?" + parameter);
        assertThat(r.status()).as(parameter).isEqualTo(200);
      }
      stillWorks();
    }

    @Test
    void at_the_exact_edges_are_stored_and_every_read_and_write_keeps_working() {
      String min = "1677-09-21T00:12:43.145224192Z";
      String max = "2262-04-11T23:47:16.854775807Z";
      for (String time : new String[] {min, max}) {
        var r =
            api.post(
                "/api/v1/databases/" + db + "/events",
                "application/cloudevents+json",
                "{\"specversion\":\"1.0\",\"id\":\"edge-"
                    + time
                    + "\",\"source\":\"s\",\"type\":\"t\",\"time\":\""
                    + time
                    + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
      }
      var sorted = api.events(db, "order=effective_time");
      assertThat(sorted).hasSize(4);
      assertThat(sorted.get(0).get("time").stringValue()).isEqualTo(min);
      assertThat(sorted.get(3).get("time").stringValue()).isEqualTo(max);
      // before the earliest storable time nothing matches, not even an event stored exactly there
      assertThat(api.events(db, "as_of_effective_time=0001-01-01T00:00:00Z")).isEmpty();
      assertThat(api.events(db, "as_of_effective_time=" + min)).hasSize(1);
      assertThat(api.events(db, "as_of_effective_time=9999-12-31T23:59:59Z")).hasSize(4);
      stillWorks();
    }
  }

  @Nested
  class selectors {
    @Test
    void nested_two_thousand_levels_in_q_is_422_naming_the_depth_limit() {
      String q = "(".repeat(2000) + "ANY" + ")".repeat(2000);
      var p =
          api.get("/api/v1/databases/" + db + "/events?q=" + q)
              .problem(422, "selector_too_complex");
      assertThat(p.get("limit").intValue()).isEqualTo(32);
      assertThat(p.get("limit_name").stringValue()).isEqualTo("evidentsource.selector.max-depth");
      assertThat(p.get("parameter").stringValue()).isEqualTo("q");
    }

    @Test
    void nested_json_beyond_the_depth_limit_is_422_in_queries_and_conditions() {
      String selector = "{\"type\":\"any\"}";
      for (int i = 0; i < 40; i++) {
        selector = "{\"type\":\"and\",\"selectors\":[" + selector + "]}";
      }
      api.postJson("/api/v1/databases/" + db + "/events/query", "{\"selector\":" + selector + "}")
          .problem(422, "selector_too_complex");
      var p =
          api.postJson(
                  "/api/v1/databases/" + db + "/transactions",
                  "{\"events\":["
                      + Api.event("c1", "s", "t", "a")
                      + "],\"conditions\":[{\"type\":\"max\",\"revision\":0,\"selector\":"
                      + selector
                      + "}]}")
              .problem(422, "selector_too_complex");
      assertThat(p.get("path").stringValue()).isEqualTo("$.conditions[0].selector");
      stillWorks();
    }

    @Test
    void more_terms_than_the_limit_is_422_naming_the_terms_limit() {
      var p =
          api.postJson(
                  "/api/v1/databases/" + db + "/events/query",
                  "{\"selector\":" + orOfSubjects(1100) + "}")
              .problem(422, "selector_too_complex");
      assertThat(p.get("limit").intValue()).isEqualTo(1024);
      assertThat(p.get("actual").intValue()).isEqualTo(1100);
      assertThat(p.get("limit_name").stringValue()).isEqualTo("evidentsource.selector.max-terms");
    }

    private String orOfSubjects(int n) {
      var sb = new StringBuilder("{\"type\":\"or\",\"selectors\":[");
      for (int i = 0; i < n; i++) {
        sb.append(i == 0 ? "" : ",")
            .append("{\"type\":\"starts_with\",\"attr\":{\"subject\":\"x")
            .append(i)
            .append("\"}}");
      }
      return sb.append("]}").toString();
    }
  }

  @Nested
  class encodings {
    @ParameterizedTest
    @ValueSource(strings = {"C0AF", "E080AF", "EDA080", "F4908080", "FF", "80", "C3"})
    void malformed_utf8_inside_json_is_400_malformed_json_and_nothing_is_stored(String hex) {
      byte[] bad = java.util.HexFormat.of().parseHex(hex);
      long before = api.revision(db);
      String[][] targets = {
        {"/api/v1/databases/" + db + "/events", "application/cloudevents+json", "%s"},
        {"/api/v1/databases/" + db + "/events", "application/cloudevents-batch+json", "[%s]"},
        {"/api/v1/databases/" + db + "/transactions", "application/json", "{\"events\":[%s]}"},
        {"/api/v1/databases/" + db + "/events", "application/x-ndjson", "%s\n"}
      };
      for (String[] target : targets) {
        var body = new ByteArrayOutputStream();
        String event = "{\"specversion\":\"1.0\",\"id\":\"u\",\"source\":\"s\",\"type\":\"t@\"}";
        String text = String.format(Locale.ROOT, target[2], event);
        int at = text.indexOf('@');
        body.writeBytes(text.substring(0, at).getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bad);
        body.writeBytes(text.substring(at + 1).getBytes(StandardCharsets.UTF_8));
        var r = api.post(target[0], target[1], body.toByteArray());
        assertThat(r.status()).as(target[1]).isEqualTo(400);
        assertThat(r.json().get("code").stringValue()).as(target[1]).isEqualTo("malformed_json");
      }
      assertThat(api.revision(db)).isEqualTo(before);
    }
  }

  @Nested
  class unpaired_surrogates {
    /** A high surrogate escape with no low one after it, in JSON text. */
    static final String LONE = "\\ud800";

    @ParameterizedTest
    @ValueSource(
        strings = {
          "\"subject\":\"x" + LONE + "\"",
          "\"type\":\"t\\udc00\"",
          "\"traceid\":\"" + LONE + "y\"",
          "\"data\":{\"k\":\"v" + LONE + "\"}",
          "\"data\":[\"\\ude00\\ud83d\"]",
          "\"datacontenttype\":\"text/plain\",\"data\":\"x" + LONE + "\""
        })
    void in_an_attribute_or_the_data_are_400_invalid_attribute_and_nothing_is_stored(
        String member) {
      long before = api.revision(db);
      String event =
          "{\"specversion\":\"1.0\",\"id\":\"s1\",\"source\":\"s\",\"type\":\"t\"," + member + "}";
      event = event.replace("\"type\":\"t\",\"type\"", "\"type\"");
      String[][] targets = {
        {"/api/v1/databases/" + db + "/events", "application/cloudevents+json", "%s"},
        {"/api/v1/databases/" + db + "/events", "application/cloudevents-batch+json", "[%s]"},
        {"/api/v1/databases/" + db + "/transactions", "application/json", "{\"events\":[%s]}"},
        {"/api/v1/databases/" + db + "/events", "application/x-ndjson", "%s\n"}
      };
      for (String[] target : targets) {
        var r = api.post(target[0], target[1], String.format(Locale.ROOT, target[2], event));
        assertThat(r.status()).as(target[1] + " " + member).isEqualTo(400);
        assertThat(r.json().get("code").stringValue()).as(target[1]).isEqualTo("invalid_attribute");
        assertThat(r.json().get("detail").stringValue()).contains("unpaired UTF-16 surrogate");
      }
      assertThat(api.revision(db)).isEqualTo(before);
      stillWorks();
    }

    @Test
    void in_a_member_name_of_the_data_is_400_malformed_json() {
      long before = api.revision(db);
      String event =
          "{\"specversion\":\"1.0\",\"id\":\"s2\",\"source\":\"s\",\"type\":\"t\","
              + "\"data\":{\""
              + LONE
              + "\":1}}";
      // the JSON reader refuses the name itself, before the event is looked at
      api.post("/api/v1/databases/" + db + "/events", "application/cloudevents+json", event)
          .problem(400, "malformed_json");
      assertThat(api.revision(db)).isEqualTo(before);
    }

    @Test
    void a_pair_is_one_character_and_is_stored() {
      String event =
          "{\"specversion\":\"1.0\",\"id\":\"pair\",\"source\":\"s\",\"type\":\"t\","
              + "\"subject\":\"\\ud83d\\ude00\",\"data\":{\"k\":\"\\ud83d\\ude00\"}}";
      var r =
          api.post("/api/v1/databases/" + db + "/events", "application/cloudevents+json", event);
      assertThat(r.status()).isLessThan(300);
      JsonNode stored =
          api.get("/api/v1/databases/" + db + "/events?subject=%F0%9F%98%80").json().get("events");
      assertThat(stored.size()).isEqualTo(1);
      assertThat(stored.get(0).get("data").get("k").stringValue()).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void in_binary_mode_json_data_is_400_invalid_attribute() {
      long before = api.revision(db);
      var r =
          api.post(
              "/api/v1/databases/" + db + "/events",
              "application/json",
              "{\"k\":\"" + LONE + "\"}",
              "ce-specversion",
              "1.0",
              "ce-id",
              "b1",
              "ce-source",
              "s",
              "ce-type",
              "t");
      r.problem(400, "invalid_attribute");
      assertThat(api.revision(db)).isEqualTo(before);
    }
  }

  @Nested
  class page_tokens {
    @Test
    void an_edited_or_made_up_token_is_400_and_never_echoed_as_a_revision() {
      api.append(db, Api.event("e3", "s", "t", "c"));
      JsonNode first = api.get("/api/v1/databases/" + db + "/events?limit=1").json();
      String token = first.get("next_page_token").stringValue();
      assertThat(
              api.get("/api/v1/databases/" + db + "/events?limit=1&page_token=" + token).status())
          .isEqualTo(200);
      byte[] bytes = Base64.getUrlDecoder().decode(token);
      for (int i = 0; i < bytes.length; i++) {
        byte[] edited = bytes.clone();
        edited[i] ^= 0x01;
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(edited);
        api.get("/api/v1/databases/" + db + "/events?limit=1&page_token=" + forged)
            .problem(400, "invalid_page_token");
      }
      // the version-2 layout without a checksum, pinned at revision -1
      byte[] v2 = new byte[54];
      v2[0] = 2;
      v2[8] = 1;
      for (int i = 9; i < 17; i++) {
        v2[i] = (byte) 0xff;
      }
      String old = Base64.getUrlEncoder().withoutPadding().encodeToString(v2);
      api.get("/api/v1/databases/" + db + "/events?page_token=" + old)
          .problem(400, "invalid_page_token");
    }
  }

  // ------------------------------------------------------------------ raw HTTP

  // A response read off a socket: for request lines no URI class accepts.
  record RawResponse(int status, String head, String body) {
    String code() {
      JsonNode problem = Api.JSON.readTree(body);
      assertThat(head.toLowerCase(Locale.ROOT)).contains("content-type: application/problem+json");
      return problem.get("code").stringValue();
    }
  }

  /**
   * Sends {@code GET target} as it is, without a URI class that would refuse it, with {@code
   * headers} (whole lines) after the host.
   */
  RawResponse raw(String target, String... headers) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      var lines = new ArrayList<String>();
      lines.add("GET " + target + " HTTP/1.1");
      lines.add("Host: 127.0.0.1");
      lines.addAll(List.of(headers));
      lines.add("Connection: close");
      String request = String.join("\r\n", lines) + "\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = response.indexOf("\r\n\r\n");
      String head = response.substring(0, split);
      String body = response.substring(split + 4);
      if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
        body = dechunk(body);
      }
      int status = Integer.parseInt(head.substring(9, 12));
      return new RawResponse(status, head, body);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String dechunk(String chunked) {
    var out = new StringBuilder();
    int i = 0;
    while (true) {
      int eol = chunked.indexOf("\r\n", i);
      int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(chunked, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
  }
}
